/**
 * One system's figures for one measured run, in the units the side-by-side table prints. Both sides are measured the
 * same way: orders/s = completed orders over the run's wall time, unified order = the client's round trip, notification
 * lag = from the moment the channel reports "paid" to the merchant's receipt.
 */
export interface SideFigures {
  ordersPerSecond: number;
  unifiedOrderMs: { p50: number; p99: number };
  notifyLagMs: { p50: number; p99: number };
  /** Failed unified orders, missing or wrong notifications (inconsistent orders are counted apart). */
  errors: number;
  /** Orders the merchant was told were paid that are stored as not paid after the run; null when not checked. */
  inconsistent: number | null;
  /** CPU of the system's own processes (not the load generator, merchant or fake channel) per order; null if unknown. */
  cpuMsPerOrder: number | null;
  /** The same per process (tree), for BENCH_JSON: where the CPU goes. */
  cpuMsPerOrderByProcess?: Record<string, number | null>;
  /** 1-minute load average of the machine when the run started (other sessions share it). */
  loadAvg: number;
}
