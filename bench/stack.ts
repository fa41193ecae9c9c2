import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../devstack/postgres';
import { describeTemporalMode, startLocalTemporal } from '../devstack/local-temporal';
import { loadDevstackConfig, localPollerLayout } from '../config/devstack';
import { runEntryPoint } from '../devstack/child';
import { freePort, repoRoot } from '../devstack/paths';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { createMerchant } from '../db/merchants';
import { newMasterKeyText, parseMasterKeys } from '../secrets/keyring';

export interface BenchStack {
  apiUrl: string;
  temporalAddress: string;
  /** Which Temporal runs (TEMPORAL_MODE, TEMPORAL_HISTORY_SHARDS). */
  temporalMode: string;
  databaseUrl: string;
  /** The dev server's SQLite file (its -wal and -shm beside it); null in server mode (Temporal's databases are in PostgreSQL). */
  temporalDbFile: string | null;
  merchant: { mercNo: string; key: string };
  /** Processes whose CPU and memory the benchmark reports. */
  pids: { api: number | null; worker: number | null; poller: number | null; temporal: number | null };
  /** The embedded PostgreSQL's postmaster (its backends are its children); null when it cannot be read. */
  postgresPid: number | null;
  stop(): Promise<void>;
}

/**
 * A fresh system for one benchmark run, exactly as `npm start` runs it (Temporal as TEMPORAL_MODE says: the dev
 * server on SQLite with WAL, or the Temporal server on the embedded PostgreSQL; worker and API as separate processes),
 * in a temporary directory.
 */
export async function startBenchStack(env: Record<string, string>, log: (m: string) => void): Promise<BenchStack> {
  const devstack = loadDevstackConfig(process.env);
  log(`temporal: ${describeTemporalMode(devstack)}`);
  const dir = mkdtempSync(join(tmpdir(), 'paydurable-bench-'));
  // However the run ends (a long soak leaves gigabytes here): on Ctrl-C the embedded PostgreSQL's own signal hook stops
  // it and exits the process before stop() below can run. Temporal gets SIGTERM from its exit hook, the worker and the
  // API from their parent-death watchdogs.
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const pgStart = startPostgres({ dataDir: join(dir, 'pg'), log });
  const [pg, temporal] = await Promise.all([
    pgStart,
    startLocalTemporal(devstack, {
      dbFile: join(dir, 'temporal.sqlite'), serverDir: join(dir, 'temporal-server'), databaseUrl: async () => (await pgStart).url, uiPort: null, log,
    }),
  ]);
  const pool = createPool(pg.url, 2);
  await migrate(pool);
  // Keys sealed at rest as in production; the benchmark merchant signs the MD5 field form with its test key.
  const masterKeys = newMasterKeyText('bench1');
  const { testKey } = await createMerchant(pool, parseMasterKeys(masterKeys), {
    mercNo: 'BENCH0000000001', name: 'Benchmark merchant', signTypes: ['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW'],
  });
  await pool.end();

  const apiPort = String(await freePort());
  const childEnv = {
    DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, API_PORT: apiPort, LOG_LEVEL: 'warn', ADMIN_PORT: '0', NOTIFY_ALLOW_PRIVATE: 'true', MASTER_KEYS: masterKeys,
    // One merchant drives the whole load and the soak holds 10,000+ orders open: the limits are checked on every
    // request as in production (their cost is in the figures) but set where they never refuse one.
    RATE_LIMIT_MERCHANT_RPS: '1000000', MAX_OPEN_ORDERS_PER_MERCHANT: '1000000',
    ...env,
  };
  const layout = localPollerLayout(devstack);
  log(`poller: ${layout.pollerEntry ? 'a process of its own (LOCAL_POLLER=process)' : 'inside the worker (LOCAL_POLLER=worker)'}`);
  const worker = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...childEnv, ...layout.workerEnv });
  const poller = layout.pollerEntry ? runEntryPoint(join(repoRoot, layout.pollerEntry), childEnv) : null;
  const api = runEntryPoint(join(repoRoot, 'api/main.ts'), childEnv);
  await Promise.all([worker.ready, api.ready, poller?.ready]);
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    temporalAddress: temporal.address,
    temporalMode: describeTemporalMode(devstack),
    databaseUrl: pg.url,
    temporalDbFile: devstack.temporalMode === 'server' ? null : join(dir, 'temporal.sqlite'),
    merchant: { mercNo: 'BENCH0000000001', key: testKey! },
    pids: { api: api.child.pid ?? null, worker: worker.child.pid ?? null, poller: poller?.child.pid ?? null, temporal: temporal.pid },
    postgresPid: postmasterPid(join(dir, 'pg')),
    async stop() {
      await Promise.allSettled([api.stop(), worker.stop(), poller?.stop()]);
      await Promise.allSettled([temporal.stop(), pg.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
