import { describe, expect, it } from 'vitest';
import { secretsIn } from '../../scripts/histories/secrets';

// The history recorder refuses to write a history that carries a secret, in plain text or inside a payload.
const payload = (value: unknown) => ({ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from(JSON.stringify(value)).toString('base64') });
const history = (input: unknown) => JSON.stringify({ events: [{ eventId: '1', workflowExecutionStartedEventAttributes: { input: { payloads: [payload(input)] } } }] });

describe('secretsIn', () => {
  it('finds a secret inside a base64 payload and names it without its value', () => {
    const found = secretsIn(history({ draft: { mercNo: 'M1' }, key: 'k-0123456789abcdef' }), { 'sign key of M1': 'k-0123456789abcdef', 'admin token': 'other-token' });
    expect(found).toEqual(['sign key of M1']);
  });

  it('finds a secret in plain text and answers nothing for a clean history', () => {
    expect(secretsIn(JSON.stringify({ events: [{ identity: 'worker k-0123456789abcdef' }] }), { key: 'k-0123456789abcdef' })).toEqual(['key']);
    expect(secretsIn(history({ draft: { mercNo: 'M1', signType: 'MD5' } }), { key: 'k-0123456789abcdef' })).toEqual([]);
  });
});
