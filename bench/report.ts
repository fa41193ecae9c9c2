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

const mib = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
const kib = (bytes: number) => Math.round((bytes / 1024) * 100) / 100;

/** Prints the human table (stdout) and one machine-readable line: `BENCH_JSON {…}`. */
export function printReport(r: BenchReport): void {
  const rows: [string, string][] = [
    ['end-to-end orders/s', `${r.e2e.ordersPerSecond} (${r.e2e.orders} orders at concurrency ${r.e2e.concurrency}, ${r.e2e.errors} errors)`],
    ['engine work per order', Object.entries(r.roundTrips.perOrder).map(([k, v]) => `${k} ${v}`).join(', ') + ` (${r.roundTrips.sampled} histories)`],
    ['workflow task wait p50/p99', `${r.roundTrips.workflowTaskWaitMs.p50} / ${r.roundTrips.workflowTaskWaitMs.p99} ms  (scheduled → started, from the same histories)`],
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
      ['soak worker RSS per order', `${s.workerRssKiBPerOrder} KiB (with all open vs before opening)`],
      ['soak api RSS', `${s.apiRssMiB.atOpen} → ${s.apiRssMiB.atEnd} MiB, peak ${s.apiRssMiB.peak} MiB`],
      ['soak channel queries/s', `${s.channelQueriesPerSecond ?? 'n/a'}  (budget ≤ ${s.queryBudgetPerSecond}); per open order ${s.channelQueriesPerSecondPerOrder ?? 'n/a'} (budget ≤ 0.0333)`],
      ['soak unified order p50/p99', s.unifiedOrderProbeMs
        ? `none open ${s.unifiedOrderProbeMs.noneOpen.p50} / ${s.unifiedOrderProbeMs.noneOpen.p99} ms, all open ${s.unifiedOrderProbeMs.allOpen.p50} / ${s.unifiedOrderProbeMs.allOpen.p99} ms (${s.unifiedOrderProbeMs.allOpen.orders} sequential); p99 ratio ${s.unifiedOrderProbeMs.p99Ratio}  (target ≤ 2)`
        : 'n/a (--soak-probe 0)'],
      ...(s.unifiedOrderProbeMs?.allOpenPollerStopped
        ? [['soak … poller stopped', `all open, the poller process stopped: ${s.unifiedOrderProbeMs.allOpenPollerStopped.p50} / ${s.unifiedOrderProbeMs.allOpenPollerStopped.p99} ms; p99 ratio ${s.unifiedOrderProbeMs.allOpenPollerStopped.p99Ratio}`] as [string, string]]
        : []),
      ['soak disk Temporal', `${mib(s.diskBytes.before.temporalBytes)} → ${mib(s.diskBytes.open.temporalBytes)} MiB open → ${mib(s.diskBytes.afterCloseOut.temporalBytes)} MiB after close-out; ${kib(s.diskBytesPerOrder.temporal)} KiB per open order`],
      ['soak disk PostgreSQL', `${mib(s.diskBytes.before.postgresBytes)} → ${mib(s.diskBytes.open.postgresBytes)} MiB open → ${mib(s.diskBytes.afterCloseOut.postgresBytes)} MiB after close-out; ${kib(s.diskBytesPerOrder.postgres)} KiB per open order`],
      ['soak close-out', `all paid in ${s.closeOutSeconds} s; workflows left running: ${s.leftRunning}`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\nBenchmark (${r.machine.cores} cores, Node ${r.machine.node})`);
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  console.log(`BENCH_JSON ${JSON.stringify(r)}`);
}
