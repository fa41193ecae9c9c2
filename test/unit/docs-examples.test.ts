import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringToSign, verifySignature } from '../../domain/signing';

// The worked example in docs/merchant-api.md must stay verifiable with the documented key.
const doc = readFileSync(join(__dirname, '../../docs/merchant-api.md'), 'utf8');
const KEY = '0123456789ABCDEF0123456789ABCDEF';
const example = (name: string): Record<string, string> => {
  const m = new RegExp('```json example:' + name + '\\n([\\s\\S]*?)```').exec(doc);
  if (!m) throw new Error(`example ${name} missing from the doc`);
  return JSON.parse(m[1]!) as Record<string, string>;
};

describe('docs/merchant-api.md example', () => {
  it.each(['request', 'response', 'notification'])('the %s signature verifies with the example key', (name) => {
    const fields = example(name);
    expect(verifySignature(fields, KEY, 'MD5', fields.signature!)).toBe(true);
  });

  it('shows the exact string to sign of the request', () => {
    expect(doc).toContain(stringToSign(example('request'), KEY));
  });
});
