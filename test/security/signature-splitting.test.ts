import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { sign } from '../../domain/signing';
import { findOrderByMercOrderNo } from '../../db/orders';
import type { TestMerchant as Merchant } from '../support/stack-core';

// The string to sign joins raw values with & and =. A buyer-controlled subject that contains "&k=v" pairs lets an
// attacker re-split a merchant's signed request into another request with the same signature — here the same order
// at 0.01 — if an unknown field may carry the rest. Every interface refuses fields it does not define.
let stack: TestStack;
let merchant: Merchant;

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

async function post(body: Record<string, string>) {
  const res = await fetch(`${stack.api.url}/api/pay`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('signature splitting', () => {
  it('a re-split of a signed request (same signing string, tradeAmt 0.01, the rest in an unknown field) is refused and creates nothing', async () => {
    const base = unifiedOrderFields({ mercNo: merchant.mercNo, tradeAmt: '100.00' });
    const tail = `termType=${base.termType}&tradeAmt=0.01&tradeTime=${base.tradeTime}&tradeType=${base.tradeType}`;
    // What the merchant signs: its buyer's subject happens to hold the forged pairs.
    const genuine = { ...base, subject: `X&${tail}&zzz=` };
    const signature = sign(genuine, merchant.signKey, 'MD5');
    // The same signing string, split differently.
    const forged: Record<string, string> = {
      ...base, subject: 'X', tradeAmt: '0.01',
      zzz: `&termType=${base.termType}&tradeAmt=100.00&tradeTime=${base.tradeTime}&tradeType=${base.tradeType}`,
    };
    expect(sign(forged, merchant.signKey, 'MD5')).toBe(signature); // the forgery really has a valid signature

    const res = await post({ ...forged, signature });
    expect(res.status).toBe(400);
    expect(res.body.respCode).toBe('100001');
    expect(res.body.respDesc).toContain('zzz');
    expect(await findOrderByMercOrderNo(stack.pool, merchant.mercNo, base.mercOrderNo!)).toBeNull();
  });

  it('every interface refuses a field it does not define, naming it', async () => {
    for (const path of ['/api/pay', '/api/query', '/api/close']) {
      const fields = path === '/api/pay'
        ? { ...unifiedOrderFields({ mercNo: merchant.mercNo }), colour: 'blue' }
        : { mercNo: merchant.mercNo, signType: 'MD5', mercOrderNo: 'N1', colour: 'blue' };
      const res = await fetch(`${stack.api.url}${path}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...fields, signature: sign(fields, merchant.signKey, 'MD5') }),
      });
      const body = (await res.json()) as Record<string, string>;
      expect(res.status, path).toBe(400);
      expect(body).toMatchObject({ respCode: '100001' });
      expect(body.respDesc).toContain('colour is not a field of this interface');
    }
  });
});
