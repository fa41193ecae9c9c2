import { setPriority } from 'node:os';
import { Client } from '@temporalio/client';
import { connectTemporalClient } from '../temporal/client-connection';
import { bootProcess, runProcess } from '../config/boot';
import { temporalConnectionOptions } from '../config/temporal';
import { onStopSignal } from '../config/stop-signals';
import { ChannelCircuits } from '../channels/circuits';
import { createWorkerMetrics } from '../observability/worker-metrics';
import { registerPoolMetrics } from '../observability/pool-metrics';
import { databaseCheck, temporalCheck } from '../observability/health';
import { startOpsServer } from '../observability/ops-server';
import { startChannelPolling } from './start-polling';

/**
 * Poller process: channel status polling of open orders, apart from the workers (run them with WORKER_POLLS=false).
 * It lowers its own CPU priority (POLLER_NICE), so that when polling many open orders keeps the machine busy the
 * order path in the worker and the API gets a core first. Stateless: what is due lives in PostgreSQL (next_poll_at),
 * so it can be killed at any moment and any number of them can run.
 */
async function main(): Promise<void> {
  // One pool (POLL_PG_POOL_MAX) for the migration check, the polls, its circuits' reports and readiness.
  const { config, log, pool } = await bootProcess('poller', {
    poolSize: (c) => c.poller.pgPoolMax,
    beforeLog: (c) => {
      if (c.poller.nice > 0) setPriority(0, c.poller.nice);
      return { nice: c.poller.nice };
    },
  });
  const { connection, close: closeConnection } = await connectTemporalClient(temporalConnectionOptions(config.temporal));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const metrics = createWorkerMetrics();
  const circuits = new ChannelCircuits(config.circuit, { pool, log, metrics: metrics.circuits });
  circuits.start();
  const polling = startChannelPolling({ config, log, temporal, circuits, metrics, pool });
  registerPoolMetrics(metrics.registry, { poll: pool });
  const ops = config.poller.httpPort === 0 ? null : await startOpsServer({
    host: config.poller.httpHost, port: config.poller.httpPort, registry: metrics.registry,
    circuits: async () => circuits.views(),
    checks: { database: databaseCheck(pool), temporal: temporalCheck(connection) },
  });
  log.info({ http: ops?.url ?? null, concurrency: config.poller.concurrency }, 'poller running');
  process.send?.({ ready: 'poller' });
  const stopped = new Promise<void>((resolve) => onStopSignal(async () => {
    await polling.stop();
    await circuits.stop();
    await ops?.stop();
    await closeConnection();
    await pool.end();
    resolve();
  }));
  await stopped;
  log.info('poller stopped');
}

runProcess('poller', main);
