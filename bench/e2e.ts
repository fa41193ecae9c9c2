import { placeOrder, payInSandbox, type Merchant } from './client';
import type { BenchReceiver } from './receiver';
import { percentile, round } from './proc-stats';
import { Progress, runPool } from './progress';

export interface E2eResult {
  orders: number;
  concurrency: number;
  wallSeconds: number;
  ordersPerSecond: number;
  payLatencyMs: { p50: number; p95: number; p99: number };
  notifyLagMs: { p50: number; p99: number };
  errors: number;
}

/**
 * What a merchant feels: N orders at concurrency C through the real HTTP API — unified order, the payer pays in the
 * sandbox (the channel reports paid), the merchant receives and acknowledges the notification.
 * Notification lag = from the channel's report (the sandbox pay call) to the merchant's receipt.
 */
export async function runEndToEnd(
  opts: { apiUrl: string; merchant: Merchant; receiver: BenchReceiver; orders: number; concurrency: number; runId: string },
  onTick: () => void,
): Promise<E2eResult> {
  const payLatencies: number[] = [];
  const lags: number[] = [];
  let done = 0;
  let errors = 0;
  const progress = new Progress('end-to-end', opts.orders);
  const started = performance.now();
  await runPool(opts.orders, opts.concurrency, async (i) => {
    try {
      const t0 = performance.now();
      const answer = await placeOrder(opts.apiUrl, opts.merchant, `${opts.runId}E${i}`, opts.receiver.url);
      payLatencies.push(performance.now() - t0);
      const paidAt = performance.now();
      const arrival = opts.receiver.waitFor(answer.orderId!);
      await payInSandbox(opts.apiUrl, answer.codeUrl!);
      lags.push((await arrival) - paidAt);
    } catch (err) {
      errors++;
      if (errors <= 3) process.stderr.write(`\n  error: ${(err as Error).message}\n`);
    }
    done++;
    onTick();
    progress.update(done, `errors ${errors}`);
  });
  progress.end();
  const wallSeconds = (performance.now() - started) / 1000;
  payLatencies.sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    orders: opts.orders,
    concurrency: opts.concurrency,
    wallSeconds: round(wallSeconds, 2),
    ordersPerSecond: round((opts.orders - errors) / wallSeconds, 1),
    payLatencyMs: { p50: round(percentile(payLatencies, 50), 1), p95: round(percentile(payLatencies, 95), 1), p99: round(percentile(payLatencies, 99), 1) },
    notifyLagMs: { p50: round(percentile(lags, 50), 1), p99: round(percentile(lags, 99), 1) },
    errors,
  };
}
