import { expect } from 'vitest';
import { eventually, merchantCall, payInSandbox, type TestStack } from './stack';
import { unifiedOrderFields } from './requests';
import { findOrderById, type OrderRecord } from '../../db/orders';
import type { TestMerchant as Merchant } from '../support/stack-core';

export { supportCall, type SupportAnswer } from './support-call';

export interface SupportErrorAnswer {
  error: { code: string; message: string; field?: string };
}

const channelOrderNoOf = (payUrl: string) => new URL(payUrl).pathname.split('/').pop()!;

/** Places an order notifying `notifyUrl` and pays it in the sandbox; returns its orderId and mercOrderNo. */
export async function paidOrder(stack: TestStack, merchant: Merchant, notifyUrl: string): Promise<{ orderId: string; mercOrderNo: string }> {
  const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl }));
  expect(placed.body.respCode).toBe('000000');
  expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!))).body.paid).toBe(true);
  return { orderId: placed.body.orderId!, mercOrderNo: placed.body.mercOrderNo! };
}

/** Waits until the order's notification is in one of `states`. */
export function notifyStateOf(stack: TestStack, orderId: string, states: string[], timeoutMs = 20_000): Promise<OrderRecord> {
  return eventually(async () => {
    const o = await findOrderById(stack.pool, orderId);
    return o && states.includes(o.notifyState) ? o : null;
  }, timeoutMs, `notification of ${orderId} in ${states.join('/')}`);
}

/** Waits for the order's workflow to finish (so that a replay takes the closed-workflow path). */
export async function workflowClosed(stack: TestStack, orderId: string): Promise<OrderRecord> {
  const order = await findOrderById(stack.pool, orderId);
  if (!order) throw new Error(`order ${orderId} not in the read model`);
  await stack.client.workflow.getHandle(order.workflowId).result();
  return order;
}
