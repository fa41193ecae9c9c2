import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../devstack/paths';
import { startBenchStack } from './stack';
import { BenchReceiver } from './receiver';
import { runEndToEnd } from './e2e';
import { runCeiling } from './ceiling';
import { runSoak } from './soak';
import { ProcessMeter, round } from './proc-stats';
import { printReport } from './report';
import { countRoundTrips } from './round-trips';
import { orderWorkflowId } from '../domain/order';
import { runAgainstJeepay } from './peer-run';
import { DEFAULT_JEEPAY_DIR } from './peer-jeepay';
import { compareEagerStart, printEagerStart } from './eager-start';

/**
 * `npm run bench`: what merchants feel, against the engine's own ceiling, on a fresh local stack.
 *   --orders N --concurrency C     end-to-end phase (default 500 at 32)
 *   --ceiling N                    ceiling workflows (default = orders)
 *   --soak-orders K --soak-seconds S   open-orders soak (default 10000 for 120 s); --no-soak skips it
 *   --soak-open-limit S            stop opening soak orders after S seconds (default 420) and soak what is open
 *   --soak-probe N                 sequential unified orders timed with none open and with all open, and with all open while
 *                                  the poller process is stopped (LOCAL_POLLER=process) (default 100; 0 skips)
 *   --peer jeepay [--rounds N] [--peer-dir DIR] [--peer-notify-after response|reply]
 *                                  only the end-to-end phase, ours and Jeepay alternately (A B × N, default 2) through
 *                                  the harness in DIR (default JEEPAY_PEER_DIR or ../shared/peers/jeepay)
 *   --eager-start [--rounds N]     only the ceiling workflow on a fresh dev server, started with update-with-start and
 *                                  with eager start alternately (A B × N, default 2), --orders workflows at --concurrency
 * Prints a table and one JSON line (prefixed `BENCH_JSON `).
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '500' },
      concurrency: { type: 'string', default: '32' },
      ceiling: { type: 'string' },
      'soak-orders': { type: 'string', default: '10000' },
      'soak-seconds': { type: 'string', default: '120' },
      'soak-open-limit': { type: 'string', default: '420' },
      'soak-probe': { type: 'string', default: '100' },
      'no-soak': { type: 'boolean', default: false },
      peer: { type: 'string' },
      rounds: { type: 'string', default: '2' },
      'peer-dir': { type: 'string' },
      'peer-notify-after': { type: 'string', default: 'response' },
      'eager-start': { type: 'boolean', default: false },
    },
  });
  const orders = Number(values.orders);
  const concurrency = Number(values.concurrency);
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: a whole number ≥ 1');
  if (values['eager-start']) {
    printEagerStart(await compareEagerStart({ workflows: orders, concurrency, rounds }, log));
    return;
  }
  if (values.peer !== undefined) {
    const notifyAfter = values['peer-notify-after'];
    if (values.peer !== 'jeepay') throw new Error(`--peer: only "jeepay" is known, not "${values.peer}"`);
    if (notifyAfter !== 'response' && notifyAfter !== 'reply') throw new Error('--peer-notify-after: response or reply');
    const peerDir = values['peer-dir'] ?? process.env.JEEPAY_PEER_DIR ?? DEFAULT_JEEPAY_DIR;
    await runAgainstJeepay({ orders, concurrency, rounds, peerDir, notifyAfter }, log);
    return;
  }
  const ceilingN = Number(values.ceiling ?? values.orders);
  const runId = `B${Date.now().toString(36).toUpperCase()}`;

  const [workerHttpPort, pollerHttpPort] = [await freePort(), await freePort()];
  log('starting a fresh stack (Temporal, PostgreSQL, worker, poller, API)…');
  const stack = await startBenchStack({ WORKER_HTTP_PORT: String(workerHttpPort), POLLER_HTTP_PORT: String(pollerHttpPort) }, log);
  const receiver = await new BenchReceiver().start();
  try {
    const meters = (['api', 'worker', 'poller', 'temporal'] as const)
      .filter((n) => stack.pids[n] !== null)
      .map((n) => new ProcessMeter(n, stack.pids[n]!));
    const tick = () => meters.forEach((m) => m.tick());
    const sampler = setInterval(tick, 250);

    // Warm-up: bundles, connection pools and JIT, outside the measured phase.
    await runEndToEnd({ apiUrl: stack.apiUrl, merchant: stack.merchant, receiver, orders: Math.min(20, orders), concurrency: 4, runId: `${runId}W` }, () => undefined);

    const e2eMeters = (['api', 'worker', 'poller', 'temporal'] as const)
      .filter((n) => stack.pids[n] !== null)
      .map((n) => new ProcessMeter(n, stack.pids[n]!));
    const e2eTick = () => e2eMeters.forEach((m) => m.tick());
    const e2e = await runEndToEnd({ apiUrl: stack.apiUrl, merchant: stack.merchant, receiver, orders, concurrency, runId }, e2eTick);
    const processes = e2eMeters.map((m) => m.finish(e2e.wallSeconds * 1000));

    // The engine's work per order, from the histories of (up to 50) orders of the measured phase.
    const sample = Array.from({ length: Math.min(50, orders) }, (_, i) => orderWorkflowId(stack.merchant.mercNo, `${runId}E${i}`));
    const roundTrips = await countRoundTrips(stack.temporalAddress, sample);
    const ceiling = await runCeiling(stack.temporalAddress, ceilingN, concurrency);
    log(`end-to-end ${e2e.ordersPerSecond} orders/s, unified order p99 ${e2e.payLatencyMs.p99} ms, notification lag p99 ${e2e.notifyLagMs.p99} ms; ceiling ${ceiling.workflowsPerSecond} workflows/s`);

    const soak = values['no-soak']
      ? null
      : await runSoak({
        apiUrl: stack.apiUrl, temporalAddress: stack.temporalAddress, merchant: stack.merchant, receiver,
        orders: Number(values['soak-orders']), concurrency, holdSeconds: Number(values['soak-seconds']),
        createLimitSeconds: Number(values['soak-open-limit']),
        workerPid: stack.pids.worker, apiPid: stack.pids.api, pollerPid: stack.pids.poller, runId, probeOrders: Number(values['soak-probe']),
        databaseUrl: stack.databaseUrl, temporalDbFile: stack.temporalDbFile, log,
        // The worker's and the poller process's counts (the worker counts none when a poller process polls).
        channelQueries: async () => sumOrNull(await Promise.all([scrapeChannelQueries(workerHttpPort), stack.pids.poller ? scrapeChannelQueries(pollerHttpPort) : null])),
      });
    clearInterval(sampler);
    const overall = meters.map((m) => m.finish(1));

    printReport({
      machine: { cores: (await import('node:os')).cpus().length, node: process.version },
      e2e, roundTrips, ceiling, ratio: round(e2e.ordersPerSecond / ceiling.workflowsPerSecond, 2), processes,
      peakRssMiB: Object.fromEntries(overall.map((o) => [o.name, o.peakRssMiB])), soak,
    });
  } finally {
    await receiver.stop();
    await stack.stop();
  }
}

function sumOrNull(counts: (number | null)[]): number | null {
  const known = counts.filter((c): c is number => c !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** Sum of a process's channel query counter from its /metrics (null when it exposes no such metric). */
async function scrapeChannelQueries(port: number): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let sum = 0;
    let found = false;
    for (const line of text.split('\n')) {
      if (/^\w*channel\w*_count\{[^}]*op="query"/.test(line)) {
        sum += Number(line.slice(line.lastIndexOf(' ') + 1));
        found = true;
      }
    }
    return found ? sum : null;
  } catch {
    return null;
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`bench failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
