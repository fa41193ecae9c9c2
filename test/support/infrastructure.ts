import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startPostgres, type PostgresHandle } from '../../devstack/postgres';
import { startLocalTemporal } from '../../devstack/local-temporal';
import { loadDevstackConfig } from '../../config/devstack';
import { createPool } from '../../db/pool';
import { migrate } from '../../db/migrate';

/** What every test stack runs on: one PostgreSQL (migrated), one Temporal and one workflow bundle. */
export interface Infrastructure {
  databaseUrl: string;
  temporalAddress: string;
  /** The bundle of workflows/index.ts, written once so that every worker loads the same code. */
  workflowBundlePath: string;
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL (or uses DATABASE_URL) and Temporal as TEMPORAL_MODE says (default: a headless, in-memory dev
 * server; `server`: the Temporal server on that PostgreSQL), migrates the database and bundles the workflows into
 * `workDir`. Used by the test run's global setup and by scripts that drive the real system
 * (scripts/record-histories.ts); free of vitest so that both can import it.
 */
export async function startInfrastructure(workDir: string, log: (m: string) => void): Promise<Infrastructure> {
  const devstack = loadDevstackConfig(process.env);
  const pgStarting = process.env.DATABASE_URL
    ? Promise.resolve<PostgresHandle>({ url: process.env.DATABASE_URL, embedded: false, stop: async () => undefined })
    : startPostgres({ dataDir: join(workDir, 'pg'), log });
  const started = await Promise.allSettled([
    pgStarting,
    startLocalTemporal(devstack, { serverDir: join(workDir, 'temporal-server'), databaseUrl: async () => (await pgStarting).url, uiPort: null, log }),
  ]);
  const [pgStart, temporalStart] = started;
  const stop = async () => {
    await Promise.allSettled(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
  };
  if (pgStart.status === 'rejected' || temporalStart.status === 'rejected') {
    await stop();
    throw pgStart.status === 'rejected' ? pgStart.reason : (temporalStart as PromiseRejectedResult).reason;
  }
  const pg = pgStart.value;
  const temporal = temporalStart.value;
  let workflowBundlePath: string;
  try {
    const pool = createPool(pg.url, 2);
    await migrate(pool).finally(() => pool.end());
    const bundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '../../workflows/index.ts'), logger: quietLogger });
    workflowBundlePath = join(workDir, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    workflowBundlePath,
    stop,
  };
}

const noop = () => undefined;
/** Webpack's progress is noise; its errors are not. */
export const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
