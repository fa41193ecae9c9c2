import { loadConfig } from '../config';
import { deploymentSummary } from '../config/deployment-summary';
import { createLogger } from '../config/logger';
import { createPool } from '../db/pool';
import { migrateWhenReachable } from '../db/migrate';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startWorker } from './create-worker';
import { onStopSignal } from '../config/stop-signals';

/** Worker process: runs order workflows and their activities. Scale by running more of these. */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel, 'worker');
  log.info(deploymentSummary(config), `worker starting in ${config.env} mode`);
  const pool = createPool(config.databaseUrl, config.pgPoolMax);
  await migrateWhenReachable(pool, {
    timeoutMs: config.dbBootWaitMs,
    onWait: (err) => log.warn({ err: err.message }, 'database not reachable yet; waiting'),
  });
  if (!['debug', 'trace'].includes(config.logLevel)) Runtime.install({ logger: new DefaultLogger('WARN') });
  const handle = await startWorker({
    config, pool, log,
    ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
  });
  log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, http: handle.opsUrl }, 'worker running');
  process.send?.({ ready: 'worker' });
  onStopSignal(() => handle.stop());
  await handle.run;
  await pool.end();
  log.info('worker stopped');
}

main().catch((err: unknown) => {
  console.error(`worker failed: ${(err as Error).message}`);
  process.exit(1);
});
