import { describe, expect, it } from 'vitest';
import { parsePeerLoadLine, peerFigures } from '../../bench/peer-load-line';
import { checkGoals, compareRounds, formatComparison, type Round } from '../../bench/side-by-side';
import type { SideFigures } from '../../bench/side-figures';

// The shape load.mjs prints (abbreviated from a real run of the harness).
const peerLine = {
  orders: 500, concurrency: 32, notify_after: 'reply', e2e_orders_per_s: 17.09, unified_order_per_s: 17.19,
  unified_order_ms: { p50: 1767.9, p95: 3053.49, p99: 3909.28 }, notify_lag_ms: { p50: 1152.81, p99: 2959.73, max: 3100 },
  completed: 500, errors: 151, errors_by_kind: { db_pay_order_not_success: 149, merchant_notify_missing: 2 },
  peak_rss_mb: 648.7, db: { pay_order_state: { 1: 149, 2: 351 } },
};

describe('the peer load line', () => {
  it('is the last JSON object line of the output, whatever else is printed', () => {
    const out = `warming up\n{"not":"it"\n${JSON.stringify(peerLine)}\n\n`;
    expect(parsePeerLoadLine(out).e2e_orders_per_s).toBe(17.09);
  });

  it('fails with the missing fields, or when there is no JSON line', () => {
    expect(() => parsePeerLoadLine('{"orders":5,"errors":0}\n')).toThrow(/lacks e2e_orders_per_s, unified_order_ms, notify_lag_ms, completed, errors_by_kind/);
    expect(() => parsePeerLoadLine('Error: connect ECONNREFUSED 127.0.0.1:9216\n')).toThrow(/no JSON line.*ECONNREFUSED/);
  });

  it('counts orders told paid but stored unpaid as inconsistent, apart from the other errors', () => {
    const cpu = { total: 100, byProcess: { 'jeepay-payment': 70, mariadb: 30 } };
    const f = peerFigures(parsePeerLoadLine(JSON.stringify(peerLine)), cpu, 3.2);
    expect(f).toEqual({
      ordersPerSecond: 17.09, unifiedOrderMs: { p50: 1767.9, p99: 3909.28 }, notifyLagMs: { p50: 1152.81, p99: 2959.73 },
      errors: 2, inconsistent: 149, cpuMsPerOrder: 100, cpuMsPerOrderByProcess: cpu.byProcess, loadAvg: 3.2,
    });
  });

  it('leaves inconsistency and CPU unknown when the database check or the meter did not run', () => {
    const noCpu = { total: null, byProcess: { 'jeepay-payment': null } };
    const f = peerFigures(parsePeerLoadLine(JSON.stringify({ ...peerLine, db: { error: 'mariadb: not found' } })), noCpu, 1);
    expect(f.inconsistent).toBeNull();
    expect(f.cpuMsPerOrder).toBeNull();
    expect(peerFigures(parsePeerLoadLine(JSON.stringify({ ...peerLine, db: null })), noCpu, 1).inconsistent).toBeNull();
  });
});

function figures(ordersPerSecond: number, p50: number, lagP50: number, over: Partial<SideFigures> = {}): SideFigures {
  return {
    ordersPerSecond, unifiedOrderMs: { p50, p99: p50 * 2 }, notifyLagMs: { p50: lagP50, p99: lagP50 * 2 },
    errors: 0, inconsistent: 0, cpuMsPerOrder: 80, loadAvg: 2, ...over,
  };
}

describe('the side-by-side table', () => {
  const rounds: Round[] = [
    { ours: figures(30, 400, 300), peer: figures(20, 1000, 800) },
    { ours: figures(34, 600, 500), peer: figures(16, 1200, 1000, { cpuMsPerOrder: null }) },
  ];

  it('takes the median of each side over the rounds and divides ours by the peer', () => {
    const rows = compareRounds(rounds);
    const row = (label: string) => rows.find((r) => r.label === label)!;
    expect(row('e2e orders/s')).toMatchObject({ rounds: [[30, 20], [34, 16]], ours: 32, peer: 18, ratio: 1.78 });
    expect(row('unified order p50 ms')).toMatchObject({ ours: 500, peer: 1100, ratio: 0.45 });
    expect(row('notification lag p99 ms')).toMatchObject({ ours: 800, peer: 1800, ratio: 0.44 });
    // A figure missing in one round has no median; a peer figure of 0 has no ratio.
    expect(row('CPU ms per order')).toMatchObject({ ours: 80, peer: null, ratio: null });
    expect(row('inconsistent orders')).toMatchObject({ ours: 0, peer: 0, ratio: null });
  });

  it('decides the goals at 32 concurrent from the ratios', () => {
    const goals = checkGoals(compareRounds(rounds), 32);
    expect(goals.map((g) => [g.goal, g.met])).toEqual([
      ['e2e orders/s ours/peer ≥ 1.5 at concurrency 32', true],
      ['unified order p50 ms ours/peer ≤ 0.5 at concurrency 32', true],
      ['notification lag p50 ms ours/peer ≤ 1 at concurrency 32', true],
      ['ours: 0 inconsistent orders', true],
    ]);
    const slower = checkGoals(compareRounds([{ ours: figures(20, 900, 900, { inconsistent: 1 }), peer: figures(16, 1200, 800) }]), 32);
    expect(slower.map((g) => g.met)).toEqual([false, false, false, false]);
    expect(slower[0]!.measured).toBe('20 / 16 = 1.25');
  });

  it('decides the goals at 1 concurrent from our own latencies', () => {
    const goals = checkGoals(compareRounds([{ ours: figures(8, 45, 60), peer: figures(7, 106, 83) }]), 1);
    expect(goals.map((g) => [g.goal, g.met])).toEqual([
      ['unified order p50 ms ≤ 50 at concurrency 1', true],
      ['notification lag p50 ms ≤ 50 at concurrency 1', false],
      ['ours: 0 inconsistent orders', true],
    ]);
  });

  it('prints one column per run in A B order, the medians, the ratio and the goals', () => {
    const rows = compareRounds(rounds);
    const lines = formatComparison(rows, checkGoals(rows, 32), 'jeepay');
    expect(lines[0]!.trim().split(/\s{2,}/)).toEqual(['ours 1', 'jeepay 1', 'ours 2', 'jeepay 2', 'ours (median)', 'jeepay (median)', 'ours/peer']);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['e2e orders/s', '30', '20', '34', '16', '32', '18', '1.78 (higher is better)']);
    expect(lines).toContain('  met  e2e orders/s ours/peer ≥ 1.5 at concurrency 32: 32 / 18 = 1.78');
  });
});
