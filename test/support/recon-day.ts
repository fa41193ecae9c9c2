import { shanghaiDateOf, shanghaiDayWindow } from '../../domain/reconciliation';

/**
 * The Asia/Shanghai day a reconciliation test works in, once it is at least `marginMs` before that day's end: a test
 * whose payments and run straddled midnight would find them on two days. Waits past midnight when closer than that
 * (so a test calling it needs a timeout above `marginMs`).
 */
export async function reconDay(marginMs = 60_000): Promise<string> {
  const now = Date.now();
  const left = shanghaiDayWindow(shanghaiDateOf(now)).endMs - now;
  if (left < marginMs) await new Promise((r) => setTimeout(r, left + 1_000));
  return shanghaiDateOf(Date.now());
}
