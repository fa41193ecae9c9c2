import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import { createActivities } from '../activities';
import { createChannels } from '../channels/registry';

export interface WorkerHandle {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has stopped; rejects if it crashed. */
  run: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the worker: order workflows plus activities wired over the pool and channels. Pass `workflowBundle` (a
 * pre-built bundle, as tests do) or let it bundle ./workflows itself.
 */
export async function startWorker(opts: {
  config: AppConfig;
  pool: Pool;
  log: Logger;
  workflowBundle?: WorkerOptions['workflowBundle'];
}): Promise<WorkerHandle> {
  const { config, pool, log } = opts;
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const channels = createChannels({ pool, publicBaseUrl: config.api.publicBaseUrl });
  const activities = createActivities({ pool, channels, log, notifyTimeoutMs: config.notify.timeoutMs });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities,
  });
  const run = worker.run();
  return {
    worker,
    connection,
    run,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
      await connection.close();
    },
  };
}
