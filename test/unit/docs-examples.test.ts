import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringToSign, verifySignature } from '../../domain/signing';
import { parseSignatureHeader, rawSignatureMatches } from '../../domain/raw-signature';

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

  it('the raw-body header example verifies over the example body with the example key', () => {
    const m = /```text example:raw-header\n(.*)\n```/.exec(doc);
    expect(m).not.toBeNull();
    const parsed = parseSignatureHeader(m![1]!);
    if (typeof parsed === 'string') throw new Error(parsed);
    expect(rawSignatureMatches(KEY, parsed, '{"mercNo":"ORG1520825458796","mercOrderNo":"D20240618125826"}')).not.toBeNull();
    expect(doc).toContain(`printf '%s' '${parsed.t}.{"mercNo":"ORG1520825458796","mercOrderNo":"D20240618125826"}'`);
  });

  it('shows the exact string to sign of the request', () => {
    expect(doc).toContain(stringToSign(example('request'), KEY));
  });
});
