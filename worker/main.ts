import { DefaultLogger, Runtime } from '@temporalio/worker';
import { bootProcess, runProcess } from '../config/boot';
import { startWorker } from './create-worker';
import { onStopSignal } from '../config/stop-signals';

/** Worker process: runs order workflows and their activities. Scale by running more of these. */
async function main(): Promise<void> {
  const { config, log, pool } = await bootProcess('worker', { poolSize: (c) => c.pgPoolMax });
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

runProcess('worker', main);
