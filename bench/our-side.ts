import { loadavg } from 'node:os';
import { createPool } from '../db/pool';
import { PayStatus } from '../domain/pay-status';
import type { BenchStack } from './stack';
import type { BenchReceiver } from './receiver';
import { runEndToEnd, type E2eResult } from './e2e';
import type { SideFigures } from './side-figures';
import { TreeCpuMeter } from './tree-cpu';

/**
 * One measured end-to-end run of ours on an open stack, as side figures: CPU is api + worker + Temporal + PostgreSQL
 * (with its backends); inconsistent orders are orders of the run not stored as paid, the same check the peer's
 * load.mjs makes in its database (every order of the run is paid and its merchant notified).
 */
export async function measureOurs(
  stack: BenchStack, receiver: BenchReceiver, orders: number, concurrency: number, runId: string,
): Promise<{ figures: SideFigures; e2e: E2eResult }> {
  const loadAvg = loadavg()[0]!;
  const meter = new TreeCpuMeter({ ...stack.pids, postgres: stack.postgresPid });
  const e2e = await runEndToEnd({ apiUrl: stack.apiUrl, merchant: stack.merchant, receiver, orders, concurrency, runId }, () => undefined);
  const completed = orders - e2e.errors;
  const cpu = meter.perOrder(completed);
  return {
    e2e,
    figures: {
      ordersPerSecond: e2e.ordersPerSecond,
      unifiedOrderMs: { p50: e2e.payLatencyMs.p50, p99: e2e.payLatencyMs.p99 },
      notifyLagMs: e2e.notifyLagMs,
      errors: e2e.errors,
      inconsistent: await notPaid(stack, `${runId}E%`, completed),
      cpuMsPerOrder: cpu.total,
      cpuMsPerOrderByProcess: cpu.byProcess,
      loadAvg: Math.round(loadAvg * 10) / 10,
    },
  };
}

/** Orders of the run (merchant order numbers LIKE `pattern`) not stored as paid, out of the `completed` ones. */
async function notPaid(stack: BenchStack, pattern: string, completed: number): Promise<number> {
  const pool = createPool(stack.databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM orders WHERE merc_no = $1 AND merc_order_no LIKE $2 AND pay_status = $3',
      [stack.merchant.mercNo, pattern, PayStatus.PAID],
    );
    return Math.max(0, completed - Number(rows[0]!.n));
  } finally {
    await pool.end();
  }
}
