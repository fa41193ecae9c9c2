import type { SideFigures } from './side-figures';
import { median as medianOf } from './proc-stats';

/** One A B pair: ours, then the peer, with the same orders and concurrency. */
export interface Round { ours: SideFigures; peer: SideFigures }

interface Metric { label: string; get: (f: SideFigures) => number | null; higherIsBetter: boolean }

const METRICS: Metric[] = [
  { label: 'e2e orders/s', get: (f) => f.ordersPerSecond, higherIsBetter: true },
  { label: 'unified order p50 ms', get: (f) => f.unifiedOrderMs.p50, higherIsBetter: false },
  { label: 'unified order p99 ms', get: (f) => f.unifiedOrderMs.p99, higherIsBetter: false },
  { label: 'notification lag p50 ms', get: (f) => f.notifyLagMs.p50, higherIsBetter: false },
  { label: 'notification lag p99 ms', get: (f) => f.notifyLagMs.p99, higherIsBetter: false },
  { label: 'errors', get: (f) => f.errors, higherIsBetter: false },
  { label: 'inconsistent orders', get: (f) => f.inconsistent, higherIsBetter: false },
  { label: 'CPU ms per order', get: (f) => f.cpuMsPerOrder, higherIsBetter: false },
  { label: 'load avg at start', get: (f) => f.loadAvg, higherIsBetter: false },
];

export interface ComparisonRow {
  label: string;
  /** Per round: [ours, peer]. */
  rounds: [number | null, number | null][];
  ours: number | null;
  peer: number | null;
  /** Median of ours over median of the peer; null when either is missing or the peer's is 0. */
  ratio: number | null;
  higherIsBetter: boolean;
}

/** Medians over the rounds (the mean of the middle two for an even count) and the ratio ours / peer per metric. */
export function compareRounds(rounds: Round[]): ComparisonRow[] {
  return METRICS.map((m) => {
    const pairs = rounds.map((r): [number | null, number | null] => [m.get(r.ours), m.get(r.peer)]);
    const ours = median(pairs.map((p) => p[0]));
    const peer = median(pairs.map((p) => p[1]));
    const ratio = ours === null || peer === null || peer === 0 ? null : round2(ours / peer);
    return { label: m.label, rounds: pairs, ours, peer, ratio, higherIsBetter: m.higherIsBetter };
  });
}

export interface GoalCheck { goal: string; measured: string; met: boolean | null }

/**
 * Issue 13's goals that one side-by-side run can decide: the ratios at 32 concurrent (applied to any concurrency
 * above 1, and labelled with it), the absolute latencies at 1 concurrent, and no inconsistent order of ours.
 */
export function checkGoals(rows: ComparisonRow[], concurrency: number): GoalCheck[] {
  const row = (label: string) => rows.find((r) => r.label === label)!;
  const ratioGoal = (label: string, cmp: '≥' | '≤', target: number): GoalCheck => {
    const r = row(label);
    const met = r.ratio === null ? null : cmp === '≥' ? r.ratio >= target : r.ratio <= target;
    return { goal: `${label} ours/peer ${cmp} ${target} at concurrency ${concurrency}`, measured: `${r.ours} / ${r.peer} = ${r.ratio}`, met };
  };
  const absGoal = (label: string, max: number): GoalCheck => {
    const r = row(label);
    return { goal: `${label} ≤ ${max} at concurrency 1`, measured: `${r.ours} (peer ${r.peer})`, met: r.ours === null ? null : r.ours <= max };
  };
  const incons = row('inconsistent orders');
  const goals: GoalCheck[] = concurrency === 1
    ? [absGoal('unified order p50 ms', 50), absGoal('notification lag p50 ms', 50)]
    : [ratioGoal('e2e orders/s', '≥', 1.5), ratioGoal('unified order p50 ms', '≤', 0.5), ratioGoal('notification lag p50 ms', '≤', 1)];
  const oursIncons = incons.rounds.map((p) => p[0]);
  goals.push({
    goal: 'ours: 0 inconsistent orders',
    measured: oursIncons.join(', '),
    met: oursIncons.some((n) => n === null) ? null : oursIncons.every((n) => n === 0),
  });
  return goals;
}

/** The human table: one column per run (A B A B), the medians and the ratio, then the goals. */
export function formatComparison(rows: ComparisonRow[], goals: GoalCheck[], peerName: string): string[] {
  const n = rows[0]?.rounds.length ?? 0;
  const header = ['', ...Array.from({ length: n }, (_, i) => [`ours ${i + 1}`, `${peerName} ${i + 1}`]).flat(), 'ours (median)', `${peerName} (median)`, 'ours/peer'];
  const body = rows.map((r) => [r.label, ...r.rounds.flat().map(show), show(r.ours), show(r.peer), r.ratio === null ? '—' : `${r.ratio}${r.higherIsBetter ? ' (higher is better)' : ''}`]);
  const table = [header, ...body];
  const widths = header.map((_, c) => Math.max(...table.map((line) => line[c]!.length)));
  const lines = table.map((line) => line.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  lines.push('', 'goals (issue 13):');
  for (const g of goals) lines.push(`  ${g.met === null ? 'n/a' : g.met ? 'met' : 'NOT met'}  ${g.goal}: ${g.measured}`);
  return lines;
}

function median(values: (number | null)[]): number | null {
  if (values.length === 0 || values.some((v) => v === null || Number.isNaN(v))) return null;
  return round2(medianOf(values as number[]));
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const show = (v: number | null) => (v === null ? '—' : String(v));
