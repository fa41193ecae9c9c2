import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTemporalServer } from '../devstack/temporal-server';
import { median, round } from './proc-stats';
import { runCeiling, type CeilingResult } from './ceiling';

export interface EagerStartComparison {
  workflows: number;
  concurrency: number;
  runs: (CeilingResult & { loadAvg: number })[];
  /** Medians per start mode, and eager / update-with-start. */
  medians: Record<'updateWithStart' | 'eagerStart', { workflowsPerSecond: number; p50: number; p99: number }>;
  ratio: { workflowsPerSecond: number; p50: number; p99: number };
}

/**
 * Issue 13, lever 3, measured alone: the engine's ceiling workflow started with update-with-start (what the unified
 * order does) and with eager start + an update, alternately (A B × rounds) on one fresh dev server with the worker
 * in this process. No order code is involved: it shows what skipping the matching hop for the first task is worth
 * on this machine before the unified order is restructured around it.
 */
export async function compareEagerStart(
  opts: { workflows: number; concurrency: number; rounds: number }, log: (m: string) => void,
): Promise<EagerStartComparison> {
  const dir = mkdtempSync(join(tmpdir(), 'paydurable-eager-'));
  const temporal = await startTemporalServer({ dbFile: join(dir, 'temporal.sqlite'), log });
  const runs: EagerStartComparison['runs'] = [];
  try {
    // Warm-up (bundle, JIT, the server's caches), not measured.
    await runCeiling(temporal.address, Math.min(20, opts.workflows), opts.concurrency, 'update-with-start');
    await runCeiling(temporal.address, Math.min(20, opts.workflows), opts.concurrency, 'eager-start');
    for (let r = 1; r <= opts.rounds; r++) {
      for (const start of ['update-with-start', 'eager-start'] as const) {
        const loadAvg = round(loadavg()[0]!, 1);
        const result = await runCeiling(temporal.address, opts.workflows, opts.concurrency, start);
        log(`round ${r} ${start}: ${result.workflowsPerSecond} wf/s, first answer p50 ${result.updateLatencyMs.p50} / p99 ${result.updateLatencyMs.p99} ms, eagerly started ${result.eagerlyStarted}/${result.workflows}`);
        runs.push({ ...result, loadAvg });
      }
    }
  } finally {
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = (start: CeilingResult['start']) => {
    const of = runs.filter((x) => x.start === start);
    return {
      workflowsPerSecond: round(median(of.map((x) => x.workflowsPerSecond)), 1),
      p50: round(median(of.map((x) => x.updateLatencyMs.p50)), 1),
      p99: round(median(of.map((x) => x.updateLatencyMs.p99)), 1),
    };
  };
  const updateWithStart = figures('update-with-start');
  const eagerStart = figures('eager-start');
  const ratio = {
    workflowsPerSecond: round(eagerStart.workflowsPerSecond / updateWithStart.workflowsPerSecond, 2),
    p50: round(eagerStart.p50 / updateWithStart.p50, 2),
    p99: round(eagerStart.p99 / updateWithStart.p99, 2),
  };
  return { workflows: opts.workflows, concurrency: opts.concurrency, runs, medians: { updateWithStart, eagerStart }, ratio };
}

/** The human table (stdout) and one `BENCH_JSON {…}` line. */
export function printEagerStart(c: EagerStartComparison): void {
  console.log(`\nLever 3, eager start, on the ceiling workflow (${c.workflows} workflows at concurrency ${c.concurrency} per run)`);
  console.log('  run  start              load  wf/s    first answer p50 / p99 ms   eagerly started');
  c.runs.forEach((x, i) => console.log(
    `  ${String(Math.floor(i / 2) + 1).padEnd(4)} ${x.start.padEnd(18)} ${String(x.loadAvg).padEnd(5)} ${String(x.workflowsPerSecond).padEnd(7)} ${`${x.updateLatencyMs.p50} / ${x.updateLatencyMs.p99}`.padEnd(27)} ${x.eagerlyStarted}/${x.workflows}`,
  ));
  const m = c.medians;
  console.log(`  median update-with-start: ${m.updateWithStart.workflowsPerSecond} wf/s, ${m.updateWithStart.p50} / ${m.updateWithStart.p99} ms`);
  console.log(`  median eager-start:       ${m.eagerStart.workflowsPerSecond} wf/s, ${m.eagerStart.p50} / ${m.eagerStart.p99} ms`);
  console.log(`  ratio eager / update-with-start: wf/s ${c.ratio.workflowsPerSecond}, p50 ${c.ratio.p50}, p99 ${c.ratio.p99}`);
  console.log(`BENCH_JSON ${JSON.stringify({ eagerStart: c })}`);
}
