import { startStack, type TestStack } from './stack';
import { startIpaynowEmulator, type IpaynowEmulator } from '../../emulator/ipaynow';
import { listCallbacks, type StoredCallback } from '../../db/channel-callbacks';
import { findOrderById, listEvents, type OrderRecord } from '../../db/orders';

export const PLATFORM_APP_ID = 'PLATFORMAPP00001';
export const PLATFORM_APP_KEY = 'platform-app-key-for-tests';

export interface IpaynowStack {
  stack: TestStack;
  emulator: IpaynowEmulator;
  stop(): Promise<void>;
}

/**
 * The real system (API + worker + Temporal + PostgreSQL) with IPayNow as the default channel, pointed at an emulator
 * whose N001 retry schedule runs at 1/1000 (2 minutes → 120 ms).
 */
export async function startIpaynowStack(env: Record<string, string> = {}): Promise<IpaynowStack> {
  const emulator = await startIpaynowEmulator({ apps: { [PLATFORM_APP_ID]: PLATFORM_APP_KEY }, notifyScale: 0.001 });
  const stack = await startStack({
    DEFAULT_CHANNEL: 'ipaynow',
    IPAYNOW_APP_ID: PLATFORM_APP_ID,
    IPAYNOW_APP_KEY: PLATFORM_APP_KEY,
    IPAYNOW_BASE_URL: emulator.url,
    IPAYNOW_TIMEOUT: '500ms',
    ...env,
  });
  return {
    stack,
    emulator,
    async stop() {
      await stack.stop();
      await emulator.stop();
    },
  };
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
