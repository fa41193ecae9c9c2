import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { createMerchant } from '../db/merchants';
import { newMasterKeyText, parseMasterKeys } from '../secrets/keyring';
import { findSandboxOrderByOrderId } from '../channels/sandbox/books';
import { repoRoot } from '../devstack/paths';
import { Supervisor, sleep, waitUntil } from './supervisor';
import { ChaosReceiver, type ReceiverMerchant } from './receiver';
import { Gate, LoadDriver } from './load';
import { runFault, type FaultName, type Recovery } from './faults';
import { check, waitConverged, type CheckResult } from './checker';
import type { ChaosMerchant } from './merchant-client';

export interface ChaosOptions {
  orders: number;
  concurrency: number;
  faults: FaultName[];
  /** A pre-built workflow bundle (the test's global setup has one); default: bundled into the run dir. */
  workflowBundlePath?: string;
  downMs?: number; // how long a killed component stays down (default 2000)
  drainTimeoutMs?: number; // per fault (default 90 s)
  settleTimeoutMs?: number; // after the load (default 180 s)
  opDeadlineMs?: number; // a merchant/payer retries one operation this long (default 150 s)
  burstSize?: number; // payments in flight when PostgreSQL dies (default 40)
  keepDir?: boolean;
  log?: (m: string) => void;
}

export interface ChaosReport extends CheckResult {
  ok: boolean;
  orders: number;
  concurrency: number;
  faults: FaultName[];
  converged: boolean;
  recovery: Recovery[];
  unexpectedExits: Record<string, number>;
  elapsedMs: number;
  runDir: string | null;
}

/** App settings of the run: short schedules so that retries, polls and notifications converge in seconds. */
const CHAOS_MASTER_KEYS = newMasterKeyText('chaos1');
const APP_ENV: Record<string, string> = {
  POLL_SCHEDULE: '200ms,500ms,1s,2s', // closed sandbox orders are watched too: back off
  // 100ms, 200ms, 500ms, 1s, then every 2 s for two minutes: a merchant failing its first attempts still converges.
  NOTIFY_RETRY_SCHEDULE: ['100ms', '200ms', '500ms', '1s', ...Array<string>(60).fill('2s')].join(','),
  PAY_ANSWER_TIMEOUT: '5s',
  NOTIFY_ALLOW_PRIVATE: 'true', // the merchants' receiver listens on loopback
  MASTER_KEYS: CHAOS_MASTER_KEYS, // merchant keys sealed at rest, as in production
  // Retries after each kill arrive in bursts: the limit is counted (and its store dies with PostgreSQL) but never refuses.
  RATE_LIMIT_MERCHANT_RPS: '1000000',
};

/**
 * Four merchants: two answer at once, two fail the first two deliveries of every notification; the MD5 field form,
 * the HMAC-SHA256 field form and the raw-body HMAC (re-signed on every retry). They sign with their test keys.
 */
const MERCHANTS: { mercNo: string; signType: ChaosMerchant['signType']; failFirst: number }[] = [
  { mercNo: 'CHAOS0000000001', signType: 'MD5', failFirst: 0 },
  { mercNo: 'CHAOS0000000002', signType: 'HMAC-SHA256', failFirst: 2 },
  { mercNo: 'CHAOS0000000003', signType: 'HMAC-SHA256-RAW', failFirst: 2 },
  { mercNo: 'CHAOS0000000004', signType: 'HMAC-SHA256-RAW', failFirst: 0 },
];

/**
 * One chaos run: a fresh stack as separate processes, load through the API while the fault schedule kills and
 * restarts processes, then a bounded wait for convergence and the checker's figures.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? ((m: string) => process.stderr.write(`[chaos] ${m}\n`));
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'paydurable-chaos-'));
  log(`run dir ${dir} (logs in ${dir}/logs)`);
  // However the run ends: on Ctrl-C (chaos/run.ts exits at once) the processes stop through their parent-death
  // watchdogs and this hook removes what they left (a full run's PostgreSQL and Temporal files).
  const removeDir = () => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a process still writing there; the OS's tmp cleaning takes the rest
    }
  };
  if (!opts.keepDir) process.on('exit', removeDir);
  let workflowBundlePath = opts.workflowBundlePath;
  if (!workflowBundlePath) {
    log('bundling the workflows once (every worker start reuses the bundle)…');
    const bundle = await bundleWorkflowCode({ workflowsPath: join(repoRoot, 'workflows/index.ts'), logger: quietLogger });
    workflowBundlePath = join(dir, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);
  }

  const sup = await Supervisor.create({ dir, workflowBundlePath, appEnv: APP_ENV, log });
  const receiverMerchants = new Map<string, ReceiverMerchant>();
  const merchants: ChaosMerchant[] = [];
  const pool = createPool(sup.databaseUrl, 4);
  let receiver: ChaosReceiver | undefined;
  try {
    await sup.start('postgres');
    await migrate(pool);
    for (const m of MERCHANTS) {
      const stored = await createMerchant(pool, parseMasterKeys(CHAOS_MASTER_KEYS), {
        mercNo: m.mercNo, name: `Chaos merchant ${m.mercNo.slice(-1)}`, signTypes: [m.signType],
      });
      merchants.push({ mercNo: m.mercNo, key: stored.testKey!, signType: m.signType });
      receiverMerchants.set(m.mercNo, { key: stored.testKey!, signType: m.signType, failFirst: m.failFirst });
    }
    await sup.start('temporal');
    await Promise.all([sup.start('worker'), sup.start('poller'), sup.start('api')]);
    receiver = await new ChaosReceiver(receiverMerchants).start();

    const runId = `K${Date.now().toString(36).toUpperCase()}`;
    const driver = new LoadDriver({
      apiUrl: sup.apiUrl, merchants, notifyUrl: receiver.url, runId, opDeadlineMs: opts.opDeadlineMs ?? 150_000, log,
      // The payer of an order whose pay answer the merchant never got finds its cashier from the sandbox's books.
      channelOrderNoOf: async (orderId) => (await findSandboxOrderByOrderId(pool, orderId).catch(() => null))?.channelOrderNo,
    });
    const gate = new Gate();
    const segments = opts.faults.length + 1;
    const limitOf = (k: number) => Math.ceil(((k + 1) * opts.orders) / segments);
    const progress = setInterval(() => {
      const done = driver.ledger.filter((e) => e.done).length;
      log(`load: ${driver.started}/${opts.orders} started, ${done} ledger entries done, ${receiver!.deliveries.length} deliveries`);
    }, 15_000);
    gate.raise(limitOf(0));
    const load = driver.run(opts.orders, opts.concurrency, gate);

    const recovery: Recovery[] = [];
    for (const [k, fault] of opts.faults.entries()) {
      // The fault hits while the next segment's orders are being placed.
      await waitUntil(() => driver.started >= limitOf(k), 180_000);
      gate.raise(limitOf(k + 1));
      await waitUntil(() => driver.started >= Math.min(limitOf(k + 1), limitOf(k) + opts.concurrency), 5_000);
      recovery.push(await runFault(fault, {
        sup, driver, pool, receiver, downMs: opts.downMs ?? 2000, drainTimeoutMs: opts.drainTimeoutMs ?? 90_000,
        burstSize: opts.burstSize ?? 40, runStartedMs: started, log,
      }));
    }
    gate.raise(opts.orders);
    await load;
    clearInterval(progress);
    log('load done; waiting for convergence…');
    const converged = await waitConverged(pool, receiver, driver.ledger, opts.settleTimeoutMs ?? 180_000, log);
    await sleep(500); // a notification answered at the deadline is recorded before the check
    const result = await check(pool, receiver, driver.ledger);
    return {
      // A process that dies on its own is a defect even when the supervisor's restart hides its effect on orders.
      ok: result.lost === 0 && result.stuck === 0 && result.wrong === 0 && Object.values(sup.unexpectedExits).every((n) => n === 0),
      orders: opts.orders, concurrency: opts.concurrency, faults: opts.faults, converged,
      ...result,
      recovery,
      unexpectedExits: { ...sup.unexpectedExits },
      elapsedMs: Date.now() - started,
      runDir: opts.keepDir ? dir : null,
    };
  } finally {
    await pool.end().catch(() => undefined);
    await receiver?.stop().catch(() => undefined);
    await sup.stopAll();
    if (!opts.keepDir) {
      removeDir();
      process.off('exit', removeDir);
    }
  }
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
