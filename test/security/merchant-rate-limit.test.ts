import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { startApi, type ApiHandle } from '../../api/server';
import { createLogger } from '../../config/logger';
import { verifySignature } from '../../domain/signing';
import type { TestMerchant as Merchant } from '../support/stack-core';

// Finding 6: no limit per merchant. With RATE_LIMIT_MERCHANT_RPS=3 and no burst, a merchant's fourth request within a
// second is refused: 100009, HTTP 429, Retry-After, signed like every answer to an authenticated merchant. The count
// is kept in PostgreSQL, so a second API replica over the same database shares the budget.
const RPS = 3;
let stack: TestStack;
let replica: ApiHandle;

beforeAll(async () => {
  // No worker: the limited requests never reach Temporal; a pay that got through would answer 999999 after 1 s.
  stack = await startStack({ RATE_LIMIT_MERCHANT_RPS: String(RPS), RATE_LIMIT_MERCHANT_BURST: '0', PAY_ANSWER_TIMEOUT: '1s' }, { worker: false });
  replica = await startApi({ config: { ...stack.config, api: { ...stack.config.api, port: 0 } }, pool: stack.pool, log: createLogger('silent', 'test') });
});
afterAll(async () => {
  await replica?.stop();
  await stack?.stop();
});

type Answer = Awaited<ReturnType<typeof merchantCall>>;
const query = (apiUrl: string, merchant: Merchant) => merchantCall(apiUrl, '/api/query', merchant, { mercOrderNo: 'NO-SUCH-ORDER' });
const isLimited = (a: Answer) => a.status === 429;

/**
 * Runs `send` for a fresh merchant until one run fits in the limit's 1-second window (a loaded machine may stretch
 * a run over two windows, which would let more through legitimately).
 */
async function inOneWindow(send: (merchant: Merchant) => Promise<Answer[]>): Promise<{ merchant: Merchant; answers: Answer[] }> {
  for (let run = 0; run < 3; run++) {
    const merchant = await testMerchant(stack.pool);
    const started = Date.now();
    const answers = await send(merchant);
    if (Date.now() - started < 900) return { merchant, answers };
  }
  throw new Error('three runs in a row took longer than the 1 s window');
}

function expectRefusal(a: Answer, merchant: Merchant, interfaceCode: string) {
  expect(a.status).toBe(429);
  expect(a.body).toMatchObject({ respCode: '100009', interfaceCode, mercNo: merchant.mercNo });
  expect(a.body.respDesc).toContain(`request rate limit: at most ${RPS} requests per second per merchant`);
  expect(a.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  expect(verifySignature(a.body, merchant.signKey, 'MD5', a.body.signature!)).toBe(true);
}

describe('rate limit per merchant', () => {
  it('the fourth request within a second answers 100009 (HTTP 429) with Retry-After, signed', async () => {
    const { merchant, answers } = await inOneWindow((m) => Promise.all(Array.from({ length: 8 }, () => query(stack.api.url, m))));
    const served = answers.filter((a) => !isLimited(a));
    expect(served).toHaveLength(RPS);
    for (const a of served) expect(a.body.respCode).toBe('100005'); // answered as before: no such order
    for (const a of answers.filter(isLimited)) expectRefusal(a, merchant, 'query');

    // Another merchant is not affected; the limited one is served again once the window has passed.
    expect((await query(stack.api.url, await testMerchant(stack.pool))).body.respCode).toBe('100005');
    const again = await eventually(async () => {
      const a = await query(stack.api.url, merchant);
      return isLimited(a) ? null : a;
    }, 5_000, 'the next window');
    expect(again.body.respCode).toBe('100005');
  });

  it('every merchant interface counts against the same budget: pay and close are refused too', async () => {
    const { merchant, answers } = await inOneWindow(async (m) => {
      const first = [];
      for (let i = 0; i < RPS; i++) first.push(await query(stack.api.url, m));
      const pay = merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields());
      const close = merchantCall(stack.api.url, '/api/close', m, { mercOrderNo: 'NO-SUCH-ORDER' });
      return [...first, ...(await Promise.all([pay, close]))];
    });
    expect(answers.slice(0, RPS).every((a) => a.body.respCode === '100005')).toBe(true);
    expectRefusal(answers[RPS]!, merchant, 'pay');
    expectRefusal(answers[RPS + 1]!, merchant, 'close');
  });

  it('two API replicas share one budget (counted in PostgreSQL, not per process)', async () => {
    const { merchant, answers } = await inOneWindow((m) => Promise.all([stack.api.url, replica.url].flatMap((url) => Array.from({ length: 4 }, () => query(url, m)))));
    expect(answers.filter((a) => !isLimited(a))).toHaveLength(RPS); // per process, it would be 2 × 3
    for (const a of answers.filter(isLimited)) expectRefusal(a, merchant, 'query');
  });

  it('requests that do not authenticate are not counted against the merchant they name', async () => {
    const { merchant, answers } = await inOneWindow(async (m) => {
      const forged = { ...m, signKey: 'not-the-merchant-key' };
      const refused = await Promise.all(Array.from({ length: 2 * RPS }, () => query(stack.api.url, forged)));
      const own = [];
      for (let i = 0; i <= RPS; i++) own.push(await query(stack.api.url, m));
      return [...refused, ...own];
    });
    expect(answers.slice(0, 2 * RPS).map((a) => a.body.respCode)).toEqual(Array(2 * RPS).fill('100002'));
    expect(answers.slice(2 * RPS, 3 * RPS).map((a) => a.body.respCode)).toEqual(Array(RPS).fill('100005')); // the whole budget is left
    expectRefusal(answers[3 * RPS]!, merchant, 'query');
  });
});
