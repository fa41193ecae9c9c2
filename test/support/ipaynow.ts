import { globalSetupBase, type TestStack } from './stack';
import { startIpaynowStackOn, type IpaynowStack } from './ipaynow-stack';
import { listCallbacks, type StoredCallback } from '../../db/channel-callbacks';
import { findOrderById, listEvents, type OrderRecord } from '../../db/orders';

export { PLATFORM_APP_ID, PLATFORM_APP_KEY, type IpaynowStack } from './ipaynow-stack';

/** The real system with IPayNow as the default channel, on this test run's servers (see ./ipaynow-stack.ts). */
export function startIpaynowStack(env: Record<string, string> = {}, opts: Parameters<typeof startIpaynowStackOn>[2] = {}): Promise<IpaynowStack> {
  return startIpaynowStackOn(globalSetupBase(), env, opts);
}

/** The payer pays, through the emulator's HTTP control route. */
export async function payAtEmulator(emulatorUrl: string, mhtOrderNo: string, evenIfClosed = false): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emulatorUrl}/_emulator/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mhtOrderNo, evenIfClosed }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function orderOf(stack: TestStack, orderId: string): Promise<OrderRecord> {
  const order = await findOrderById(stack.pool, orderId);
  if (!order) throw new Error(`order ${orderId} not in the read model`);
  return order;
}

export const eventTypes = async (stack: TestStack, orderId: string) => (await listEvents(stack.pool, orderId)).map((e) => e.type);

export const callbacksOf = (stack: TestStack, orderId: string): Promise<StoredCallback[]> => listCallbacks(stack.pool, orderId);

/** POSTs a raw body to the platform's N001 endpoint, as IPayNow would. */
export async function postNotify(apiUrl: string, body: string | Uint8Array, contentType = 'application/x-www-form-urlencoded'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${apiUrl}/channels/ipaynow/notify`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, text: await res.text() };
}
