import { expect } from 'vitest';
import { eventually, merchantCall, payInSandbox, type TestMerchant, type TestStack } from './stack';
import { unifiedOrderFields } from './requests';
import { findOrderById } from '../../db/orders';

/** A sandbox order of `tradeAmt`, paid through the cashier and settled p0000 (its notifications go to `notifyUrl`). */
export async function paidSandboxOrder(stack: TestStack, merchant: TestMerchant, tradeAmt: string, notifyUrl?: string): Promise<{ orderId: string; mercOrderNo: string }> {
  const fields = unifiedOrderFields({ tradeAmt, ...(notifyUrl ? { notifyUrl } : {}) });
  const res = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode).toBe('000000');
  const orderId = res.body.orderId!;
  const channelOrderNo = decodeURIComponent(new URL(res.body.codeUrl!).pathname.split('/').pop()!);
  expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
  await eventually(async () => ((await findOrderById(stack.pool, orderId))?.payStatus === 'p0000' ? true : null), 15_000, 'paid');
  return { orderId, mercOrderNo: fields.mercOrderNo! };
}

/** POST /api/refund, signed by the merchant. */
export const refundCall = (stack: TestStack, merchant: TestMerchant, fields: Record<string, string>) =>
  merchantCall(stack.api.url, '/api/refund', merchant, fields);

/** POST /api/refund/query until the refund reaches `status`. */
export async function refundReaches(stack: TestStack, merchant: TestMerchant, mercRefundNo: string, status: string, timeoutMs = 20_000) {
  return eventually(async () => {
    const res = await merchantCall(stack.api.url, '/api/refund/query', merchant, { mercRefundNo });
    return res.body.refundStatus === status ? res.body : null;
  }, timeoutMs, `refund ${mercRefundNo} in ${status}`);
}
