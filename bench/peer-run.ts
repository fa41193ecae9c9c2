import { loadavg } from 'node:os';
import { startBenchStack } from './stack';
import { BenchReceiver } from './receiver';
import { runEndToEnd } from './e2e';
import { measureOurs } from './our-side';
import { JeepayPeer, type NotifyAfter } from './peer-jeepay';
import { checkGoals, compareRounds, formatComparison, type Round } from './side-by-side';
import type { SideFigures } from './side-figures';
import { TreeCpuMeter } from './tree-cpu';

export interface PeerRunOptions {
  orders: number;
  concurrency: number;
  rounds: number;
  peerDir: string;
  notifyAfter: NotifyAfter;
}

const WARMUP_ORDERS = 20;

/**
 * `npm run bench -- --peer jeepay`: ours and Jeepay alternately (A B A B …), the same orders and concurrency on the
 * same machine, each warmed up once before the first round. Both systems stay up for all rounds, so each idles while
 * the other is measured. Prints the runs, the medians, the ratios ours / peer, issue 13's goals and `BENCH_JSON {…}`.
 */
export async function runAgainstJeepay(opts: PeerRunOptions, log: (m: string) => void): Promise<void> {
  const peer = new JeepayPeer(opts.peerDir, log);
  await peer.open(); // before our stack: a harness that is not set up fails fast
  try {
    log(`starting a fresh stack of ours (TEMPORAL_MODE=${process.env.TEMPORAL_MODE ?? 'dev'})…`);
    const stack = await startBenchStack({}, log);
    const receiver = await new BenchReceiver().start();
    try {
      const runId = `P${Date.now().toString(36).toUpperCase()}`;
      await runEndToEnd({ apiUrl: stack.apiUrl, merchant: stack.merchant, receiver, orders: WARMUP_ORDERS, concurrency: 4, runId: `${runId}W` }, () => undefined);
      await peer.warmUp(WARMUP_ORDERS, 4, opts.notifyAfter);

      const rounds: Round[] = [];
      const peerLines: unknown[] = [];
      // What each system burns while it waits for the other to be measured: a cost per second, not per order.
      const idle: { oursPctOfCore: number | null; peerPctOfCore: number | null }[] = [];
      const pct = (ms: number | null, sinceMs: number) => (ms === null ? null : Math.round((ms / (performance.now() - sinceMs)) * 100));
      for (let r = 1; r <= opts.rounds; r++) {
        log(`round ${r}/${opts.rounds}: ours, ${opts.orders} orders at ${opts.concurrency} (load ${loadavg()[0]!.toFixed(1)})`);
        const peerIdle = peer.cpuMeter();
        const oursStart = performance.now();
        const ours = await measureOurs(stack, receiver, opts.orders, opts.concurrency, `${runId}R${r}`);
        const peerPctOfCore = pct(peerIdle.usedMs(), oursStart);
        log(`round ${r}/${opts.rounds}: jeepay (notify-after ${opts.notifyAfter}) (load ${loadavg()[0]!.toFixed(1)})`);
        const oursIdle = new TreeCpuMeter({ ...stack.pids, postgres: stack.postgresPid });
        const peerStart = performance.now();
        const peerRun = await peer.measure(opts.orders, opts.concurrency, opts.notifyAfter);
        idle.push({ oursPctOfCore: pct(oursIdle.usedMs(), peerStart), peerPctOfCore });
        rounds.push({ ours: ours.figures, peer: peerRun.figures });
        peerLines.push(peerRun.line);
      }

      const rows = compareRounds(rounds);
      const goals = checkGoals(rows, opts.concurrency);
      console.log(`\nSide by side with Jeepay: ${opts.orders} orders at concurrency ${opts.concurrency}, ${opts.rounds} rounds A B`
        + ` (ours: ${stack.temporalMode}; jeepay: notify-after ${opts.notifyAfter})`);
      for (const line of formatComparison(rows, goals, 'jeepay')) console.log(`  ${line}`);
      console.log('  CPU ms per order by process:');
      rounds.forEach((r, i) => console.log(`    round ${i + 1}: ours ${byProcess(r.ours)}; jeepay ${byProcess(r.peer)}`));
      console.log('  CPU while idle (the other one measured), % of one core:');
      idle.forEach((d, i) => console.log(`    round ${i + 1}: ours ${d.oursPctOfCore ?? '—'} %; jeepay ${d.peerPctOfCore ?? '—'} %`));
      console.log(`BENCH_JSON ${JSON.stringify({
        peer: 'jeepay', orders: opts.orders, concurrency: opts.concurrency, notifyAfter: opts.notifyAfter, temporal: stack.temporalMode,
        rounds, idle, comparison: rows.map(({ label, ours, peer: p, ratio }) => ({ label, ours, peer: p, ratio })), goals, peerLines,
      })}`);
    } finally {
      await receiver.stop();
      await stack.stop();
    }
  } finally {
    await peer.close();
  }
}

const byProcess = (f: SideFigures) => Object.entries(f.cpuMsPerOrderByProcess ?? {}).map(([k, v]) => `${k} ${v ?? '—'}`).join(', ');
