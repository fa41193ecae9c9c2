import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { runChaos } from './chaos';
import { parseFaults } from './faults';
import { reportLine, reportSummary } from './report';

/**
 * `npm run chaos`: a fresh stack as separate processes, orders through the real API while processes are killed
 * with SIGKILL and restarted, then the checker. Prints one JSON line; exits 1 unless lost = stuck = wrong = 0.
 *   --orders N (1000)  --concurrency C (16)  --faults full|short|none|worker,temporal,postgres,poller,api,worker+temporal,postgres-burst
 *   --down-ms (2000)  --drain-timeout-ms (90000)  --settle-timeout-ms (180000)  --keep (keep the run dir and logs)
 *   --json             only the JSON line on stdout (progress stays on stderr)
 */
async function main(): Promise<number> {
  // Ctrl-C or a stop: exit at once (the run's processes follow through their parent-death watchdogs; the run
  // directory is removed by runChaos's exit hook unless --keep).
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const { values } = parseArgs({
    options: {
      orders: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '16' },
      faults: { type: 'string', default: 'full' },
      'down-ms': { type: 'string', default: '2000' },
      'drain-timeout-ms': { type: 'string', default: '90000' },
      'settle-timeout-ms': { type: 'string', default: '180000' },
      keep: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const int = (name: keyof typeof values, min: number): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}`);
    return n;
  };
  const report = await runChaos({
    orders: int('orders', 1), concurrency: int('concurrency', 1), faults: parseFaults(String(values.faults)),
    downMs: int('down-ms', 0), drainTimeoutMs: int('drain-timeout-ms', 1000), settleTimeoutMs: int('settle-timeout-ms', 1000),
    keepDir: values.keep === true,
  });
  if (!values.json) console.log(reportSummary(report));
  else process.stderr.write(`${reportSummary(report)}\n`);
  console.log(reportLine(report));
  return report.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`chaos failed: ${(err as Error).stack ?? String(err)}`);
    process.exit(2);
  },
);
