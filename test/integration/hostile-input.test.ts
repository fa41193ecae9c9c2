import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderArbitrary } from '../support/arbitraries';
import { sign, type SignableValue } from '../../domain/signing';
import { RESP_CODES } from '../../domain/resp-codes';
import type { TestMerchant as Merchant } from '../support/stack-core';
import { setPayoutSettings } from '../../db/payouts';

// Thousands of generated requests over HTTP against the real API + worker + Temporal + PostgreSQL: never a 5xx,
// always a documented respCode, and every valid request gets an order.
let stack: TestStack;
let merchant: Merchant;

beforeAll(async () => {
  // 2,000 requests of one merchant as fast as the API answers: the per-merchant rate limit is not what is tested here.
  stack = await startStack({ POLL_SCHEDULE: '1h', RATE_LIMIT_MERCHANT_RPS: '0' });
  merchant = await testMerchant(stack.pool);
  // Generated payouts (tradeType 02/03) are valid requests: the merchant's daily payout limit is not what is tested here.
  await setPayoutSettings(stack.pool, merchant.mercNo, { dailyLimitFen: Number.MAX_SAFE_INTEGER });
});
afterAll(async () => {
  await stack?.stop();
});

async function post(body: string | Uint8Array, contentType = 'application/json') {
  const res = await fetch(`${stack.api.url}/api/pay`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  const text = await res.text();
  let json: Record<string, string> = {};
  try {
    json = JSON.parse(text) as Record<string, string>;
  } catch {
    /* checked below */
  }
  return { status: res.status, json, text };
}

describe('hostile input, property-based', () => {
  it('signed generated unified orders: zero 5xx, documented codes, valid ones accepted', async () => {
    let accepted = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(unifiedOrderArbitrary(Date.now()), async ({ fields, valid }) => {
        // A valid draw is a new order: its mercOrderNo must not repeat an earlier run's (that would be 100004).
        if (valid) fields.mercOrderNo = `P${Date.now()}R${++run}`;
        const payload: Record<string, unknown> = { ...fields, mercNo: merchant.mercNo, signType: 'MD5' };
        const signable = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)])) as Record<string, SignableValue>;
        const res = await post(JSON.stringify({ ...payload, signature: sign(signable, merchant.signKey, 'MD5') }));
        expect(res.status).toBeLessThan(500);
        expect(Object.keys(RESP_CODES)).toContain(res.json.respCode);
        expect(res.status).toBe(RESP_CODES[res.json.respCode as keyof typeof RESP_CODES].httpStatus);
        if (res.json.respCode === '100001') expect(res.json.respDesc).toMatch(/参数错误: \S+ /);
        if (valid) {
          expect(['000000', '200002']).toContain(res.json.respCode);
          if (res.json.respCode === '000000') accepted++;
        }
      }),
      { numRuns: 1000 },
    );
    expect(accepted).toBeGreaterThan(0);
  }, 600_000);

  it('arbitrary JSON values, bytes and unsigned objects: zero 5xx, always a respCode', async () => {
    const bodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 40 }), fc.integer())).map((d) => JSON.stringify({ ...d, mercNo: merchant.mercNo })),
      fc.uint8Array({ maxLength: 200 }),
      fc.string({ maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await post(body);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(Object.keys(RESP_CODES)).toContain(res.json.respCode);
      }),
      { numRuns: 1000 },
    );
  }, 300_000);

  it('a duplicate key is refused naming the key, even with a valid signature over either value', async () => {
    const fields = { mercNo: merchant.mercNo, signType: 'MD5', mercOrderNo: 'DUP1', tradeAmt: '1.00' };
    const signature = sign(fields, merchant.signKey, 'MD5');
    const body = `{"mercNo":"${merchant.mercNo}","signType":"MD5","mercOrderNo":"DUP1","tradeAmt":"1.00","tradeAmt":"100.00","signature":"${signature}"}`;
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.json.respCode).toBe('100001');
    expect(res.json.respDesc).toContain('tradeAmt');
  });

  it('invalid UTF-8 and non-JSON content types are refused with 400', async () => {
    expect((await post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).json.respCode).toBe('100001');
    expect((await post('<xml/>', 'application/xml')).status).toBe(400);
  });
});
