import type { NativeConnection, Worker } from '@temporalio/worker';
import type { AppConfig } from '../config';
import type { Pool } from '../db/pool';
import type { Registry } from 'prom-client';
import { databaseCheck, temporalCheck, workerRunningCheck, type CircuitSource } from './health';
import { startOpsServer, type OpsServer } from './ops-server';

/**
 * The worker's HTTP server (config WORKER_HTTP_HOST / WORKER_HTTP_PORT; port 0 = none): liveness, readiness
 * (database, Temporal frontend, worker polling, with its channel circuits as detail) and its metrics.
 */
export async function startWorkerOps(opts: {
  config: AppConfig;
  pool: Pool;
  connection: NativeConnection;
  worker: Worker;
  registry: Registry;
  /** Its channel circuit breakers, shown in the /readyz detail. */
  circuits?: CircuitSource;
}): Promise<OpsServer | null> {
  const { httpHost, httpPort } = opts.config.worker;
  if (httpPort === 0) return null;
  return startOpsServer({
    host: httpHost,
    port: httpPort,
    registry: opts.registry,
    ...(opts.circuits ? { circuits: opts.circuits } : {}),
    checks: {
      database: databaseCheck(opts.pool),
      temporal: temporalCheck(opts.connection),
      worker: workerRunningCheck(opts.worker),
    },
  });
}
