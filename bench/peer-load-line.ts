import type { SideFigures } from './side-figures';

/** The figures the Jeepay harness's `load.mjs` prints as one JSON line (the fields the comparison reads). */
export interface PeerLoadLine {
  orders: number;
  concurrency: number;
  notify_after: string;
  e2e_orders_per_s: number;
  unified_order_ms: { p50: number; p95?: number; p99: number };
  notify_lag_ms: { p50: number | null; p99: number | null };
  completed: number;
  errors: number;
  errors_by_kind: Record<string, number>;
  db: unknown;
}

/** load.mjs's error kind for "the merchant was told paid, the order is stored as not paid". */
const INCONSISTENT_KIND = 'db_pay_order_not_success';

/**
 * Finds and checks the JSON line in load.mjs's stdout (the last line that parses as a JSON object). Throws with what
 * is missing, so a changed harness fails loudly instead of printing zeros.
 */
export function parsePeerLoadLine(stdout: string): PeerLoadLine {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (const line of lines.reverse()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const j = parsed as Partial<PeerLoadLine>;
    const missing = (['e2e_orders_per_s', 'unified_order_ms', 'notify_lag_ms', 'completed', 'errors', 'errors_by_kind'] as const)
      .filter((k) => j[k] === undefined || j[k] === null);
    if (missing.length > 0) throw new Error(`peer load line lacks ${missing.join(', ')}: ${line.slice(0, 200)}`);
    return j as PeerLoadLine;
  }
  throw new Error(`peer load printed no JSON line; its output ends with: ${stdout.slice(-300)}`);
}

/**
 * The peer's line as side figures. Inconsistent orders are load.mjs's database check (null when it did not run or
 * failed); the rest of its errors stay errors. CPU per order comes from our own /proc meter around the run.
 */
export function peerFigures(
  line: PeerLoadLine, cpuPerOrder: { total: number | null; byProcess: Record<string, number | null> }, loadAvg: number,
): SideFigures {
  const inconsistent = dbChecked(line.db) ? (line.errors_by_kind[INCONSISTENT_KIND] ?? 0) : null;
  return {
    ordersPerSecond: line.e2e_orders_per_s,
    unifiedOrderMs: { p50: line.unified_order_ms.p50, p99: line.unified_order_ms.p99 },
    notifyLagMs: { p50: line.notify_lag_ms.p50 ?? Number.NaN, p99: line.notify_lag_ms.p99 ?? Number.NaN },
    errors: line.errors - (line.errors_by_kind[INCONSISTENT_KIND] ?? 0),
    inconsistent,
    cpuMsPerOrder: cpuPerOrder.total,
    cpuMsPerOrderByProcess: cpuPerOrder.byProcess,
    loadAvg,
  };
}

function dbChecked(db: unknown): boolean {
  return typeof db === 'object' && db !== null && !('error' in db);
}
