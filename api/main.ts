import { loadConfig } from '../config';
import { deploymentSummary } from '../config/deployment-summary';
import { createLogger } from '../config/logger';
import { createPool } from '../db/pool';
import { migrateWhenReachable } from '../db/migrate';
import { startApi } from './server';
import { onStopSignal } from '../config/stop-signals';

/** API process: stateless; scale by running more of these behind a load balancer. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'api');
  log.info(deploymentSummary(config), `api starting in ${config.env} mode`);
  const pool = createPool(config.databaseUrl, config.pgPoolMax);
  await migrateWhenReachable(pool, {
    timeoutMs: config.dbBootWaitMs,
    onWait: (err) => log.warn({ err: err.message }, 'database not reachable yet; waiting'),
  });
  const api = await startApi({ config, pool, log });
  log.info({ url: api.url, adminUrl: api.adminUrl }, 'api listening (merchant and admin listeners)');
  process.send?.({ ready: 'api', url: api.url, adminUrl: api.adminUrl });
  onStopSignal(async () => {
    await api.stop();
    await pool.end();
    process.exit(0);
  });
}

main().catch((err: unknown) => {
  console.error(`api failed: ${(err as Error).message}`);
  process.exit(1);
});
