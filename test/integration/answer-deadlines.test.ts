import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import type { TestMerchant as Merchant } from '../support/stack-core';

// A merchant call never hangs on a workflow that cannot answer (no worker polls its task queue): it gets 999999
// after the configured deadline, and the same request sent again once workers are back gets the real answer.
let stack: TestStack;
let merchant: Merchant;

beforeAll(async () => {
  stack = await startStack({ CLOSE_ANSWER_TIMEOUT: '500ms' });
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

describe('answer deadlines', () => {
  it('close answers 999999 after CLOSE_ANSWER_TIMEOUT while no worker runs, and p0005 when sent again later', async () => {
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ mercNo: merchant.mercNo }));
    expect(placed.body.respCode).toBe('000000');
    await stack.worker!.stop();
    stack.worker = null;

    const closeFields = { mercNo: merchant.mercNo, mercOrderNo: placed.body.mercOrderNo!, signType: 'MD5' };
    const started = Date.now();
    const stalled = await merchantCall(stack.api.url, '/api/close', merchant, closeFields);
    expect(stalled.body.respCode).toBe('999999');
    expect(stalled.body.respDesc).toContain('send the same request again');
    expect(Date.now() - started).toBeLessThan(10_000);

    await stack.startWorker();
    // As a merchant does: the same request again until it is answered (the task moves off the dead worker's queue).
    const again = await eventually(async () => {
      const r = await merchantCall(stack.api.url, '/api/close', merchant, closeFields);
      return r.body.respCode === '999999' ? null : r;
    }, 30_000, 'a close answered once the worker is back');
    expect(again.body).toMatchObject({ respCode: '000000', payStatus: 'p0005' });
  });
});
