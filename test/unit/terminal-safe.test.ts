import { describe, expect, it } from 'vitest';
import { terminalSafe } from '../../cli/support/terminal-safe';

describe('support CLI output', () => {
  it('shows escape sequences (C0, DEL, C1) as visible escapes, keeping tabs, newlines and other text', () => {
    expect(terminalSafe('a\u001b]0;owned\u0007b\u009b2J\u007f\tc\nd 商户')).toBe('a\\u001b]0;owned\\u0007b\\u009b2J\\u007f\tc\nd 商户');
  });
  it('keeps --json output parseable', () => {
    const text = terminalSafe(JSON.stringify({ subject: 'x\u009b31my\u001b' }));
    expect(JSON.parse(text)).toEqual({ subject: 'x\u009b31my\u001b' });
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
