import type { E2eResult } from './e2e';
import type { CeilingResult } from './ceiling';
import type { SoakResult } from './soak';
import type { RoundTrips } from './round-trips';

export interface BenchReport {
  machine: { cores: number; node: string };
  e2e: E2eResult;
  roundTrips: RoundTrips;
  ceiling: CeilingResult;
  /** End-to-end orders/s divided by ceiling workflows/s. */
  ratio: number;
  processes: { name: string; cpuSeconds: number; cpuPercent: number; peakRssMiB: number }[];
  peakRssMiB: Record<string, number>;
  soak: SoakResult | null;
}

/** Prints the human table (stdout) and one machine-readable line: `BENCH_JSON {…}`. */
export function printReport(r: BenchReport): void {
  const rows: [string, string][] = [
    ['end-to-end orders/s', `${r.e2e.ordersPerSecond} (${r.e2e.orders} orders at concurrency ${r.e2e.concurrency}, ${r.e2e.errors} errors)`],
    ['engine work per order', Object.entries(r.roundTrips.perOrder).map(([k, v]) => `${k} ${v}`).join(', ') + ` (${r.roundTrips.sampled} histories)`],
    ['ceiling workflows/s', `${r.ceiling.workflowsPerSecond}`],
    ['ratio ours / ceiling', `${r.ratio}  (target ≥ 0.7)`],
    ['unified order p50/p95/p99', `${r.e2e.payLatencyMs.p50} / ${r.e2e.payLatencyMs.p95} / ${r.e2e.payLatencyMs.p99} ms  (target p99 ≤ 100 ms at 32)`],
    ['notification lag p50/p99', `${r.e2e.notifyLagMs.p50} / ${r.e2e.notifyLagMs.p99} ms  (target p99 ≤ 150 ms)`],
    ...r.processes.map((p): [string, string] => [`${p.name} (end-to-end phase)`, `CPU ${p.cpuSeconds} s = ${p.cpuPercent}% of one core, peak RSS ${p.peakRssMiB} MiB`]),
    ['peak RSS whole run', Object.entries(r.peakRssMiB).map(([k, v]) => `${k} ${v} MiB`).join(', ')],
  ];
  if (r.soak) {
    const s = r.soak;
    rows.push(
      ['soak open orders', `${s.openOrders} of ${s.requestedOrders} (opened in ${s.createSeconds} s, held ${s.holdSeconds} s)${s.openStoppedBy ? `; opening stopped: ${s.openStoppedBy}` : ''}`],
      ['soak worker RSS', `${s.workerRssMiB.atOpen} → ${s.workerRssMiB.atEnd} MiB, peak ${s.workerRssMiB.peak} MiB, growth ${s.workerRssMiB.growthMiBPerMin} MiB/min  (target ≤ 1024)`],
      ['soak channel queries/s', `${s.channelQueriesPerSecond ?? 'n/a'}  (budget ≤ ${s.queryBudgetPerSecond})`],
      ['soak close-out', `all paid in ${s.closeOutSeconds} s; workflows left running: ${s.leftRunning}`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nBenchmark (${r.machine.cores} cores, Node ${r.machine.node})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`BENCH_JSON ${JSON.stringify(r)}`);
}
