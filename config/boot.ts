import { loadConfig, type AppConfig } from './index';
import { deploymentSummary } from './deployment-summary';
import { createLogger, type Logger } from './logger';
import { createPool, type Pool } from '../db/pool';
import { migrateWhenReachable } from '../db/migrate';

export type ProcessName = 'api' | 'worker' | 'poller';

/**
 * How every entry point (api/main.ts, worker/main.ts, polling/main.ts) begins: its configuration (validated: a bad
 * setting stops it here), its logger, a line naming the deployment, and a pool of `poolSize(config)` connections over
 * a migrated database (waiting up to DB_BOOT_WAIT for it to be reachable). `beforeLog` runs first (the poller lowers
 * its CPU priority there) and what it returns joins the starting line.
 */
export async function bootProcess(name: ProcessName, opts: {
  poolSize: (config: AppConfig) => number;
  beforeLog?: (config: AppConfig) => Record<string, unknown>;
}): Promise<{ config: AppConfig; log: Logger; pool: Pool }> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, name);
  const extra = opts.beforeLog?.(config) ?? {};
  log.info({ ...deploymentSummary(config), ...extra }, `${name} starting in ${config.env} mode`);
  const pool = createPool(config.databaseUrl, opts.poolSize(config));
  await migrateWhenReachable(pool, {
    timeoutMs: config.dbBootWaitMs,
    onWait: (err) => log.warn({ err: err.message }, 'database not reachable yet; waiting'),
  });
  return { config, log, pool };
}

/** Runs an entry point's main; a failure prints one line, "<name> failed: <message>", and exits 1. */
export function runProcess(name: ProcessName, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(`${name} failed: ${(err as Error).message}`);
    process.exit(1);
  });
}
