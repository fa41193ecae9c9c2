import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import type { Logger } from '../config/logger';
import { createPool, type Pool } from '../db/pool';
import { createActivities } from '../activities';
import { activityDepsFromConfig } from '../activities/deps';
import { createChannels } from '../channels/registry';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/worker-metrics';
import { startWorkerOps } from '../observability/worker-ops';
import { registerPoolMetrics } from '../observability/pool-metrics';
import { registerPollBacklogMetric } from '../observability/poll-backlog-metrics';
import { Client } from '@temporalio/client';
import { connectTemporalClient } from '../temporal/client-connection';
import { startChannelPolling } from '../polling/start-polling';
import { deliverChannelReport, deliverChannelReportById } from '../orders/channel-reports';
import { CHANNEL_NAMES, type ChannelName } from '../domain/channels';
import { ChannelCircuits } from '../channels/circuits';
import { startRefundStartRecovery } from '../refunds/start-recovery';
import { createReconActivities } from '../activities/reconciliation';
import { ensureReconSchedules } from '../reconciliation/schedules';
import type { StatementLine } from '../domain/reconciliation';
import { startPayoutStartRecovery } from '../payouts/start-recovery';

export interface WorkerHandle {
  worker: Worker;
  connection: NativeConnection;
  /** Resolves when the worker has stopped; rejects if it crashed. */
  run: Promise<void>;
  metrics: WorkerMetrics;
  /** The health/metrics HTTP server's URL; null when WORKER_HTTP_PORT is 0. */
  opsUrl: string | null;
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
  const channels = createChannels({ pool, config, log });
  const metrics = createWorkerMetrics();
  // One breaker per channel for this process, shared by all its activities and its poller (channels/circuits.ts).
  const circuits = new ChannelCircuits(config.circuit, { pool, log, metrics: metrics.circuits });
  const activities = createActivities(activityDepsFromConfig(config, { circuits, pool, channels: channels.registry, log, metrics: metrics.activities }));
  // A client of its own: the poller, channels' background work and reconciliation hand channel reports to orders.
  const clientConnection = await connectTemporalClient(temporalConnectionOptions(config.temporal));
  const temporal = new Client({ connection: clientConnection.connection, namespace: config.temporal.namespace });
  const statements: Partial<Record<ChannelName, (date: string) => Promise<StatementLine[]>>> = {};
  for (const name of CHANNEL_NAMES) {
    const statement = channels.built[name].statement;
    if (statement) statements[name] = statement;
  }
  const reconActivities = createReconActivities({
    pool, log, statements,
    deliver: (order, report) => deliverChannelReport({ temporal, pool, config }, order, report),
    runFinished: (channel, status) => metrics.reconRunFinished(channel, status),
  });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    maxCachedWorkflows: config.worker.maxCachedWorkflows,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: { ...activities, ...reconActivities },
  }).catch(async (err: unknown) => {
    await clientConnection.close();
    throw err;
  });
  const run = worker.run();
  const ops = await startWorkerOps({ config, pool, connection, worker, registry: metrics.registry, circuits: async () => circuits.views() }).catch(async (err: unknown) => {
    worker.shutdown();
    await run.catch(() => undefined);
    await clientConnection.close();
    await connection.close();
    throw err;
  });
  // The daily reconciliation schedules (RECON_AT), created or updated; a failure is logged, orders are served anyway.
  await ensureReconSchedules(temporal, config).then(
    (ids) => { if (ids.length > 0) log.info({ schedules: ids }, 'reconciliation schedules in place'); },
    (err: unknown) => log.error({ err: (err as Error).message }, 'reconciliation schedules could not be created or updated'),
  );
  circuits.start();
  // Channel status polling of open orders (polling/start-polling.ts), unless a poller process of its own does it.
  // Over a pool of its own (POLL_PG_POOL_MAX), so that polls never take the order path's connections.
  const pollPool = config.poller.inWorker ? createPool(config.databaseUrl, config.poller.pgPoolMax) : null;
  const polling = pollPool ? startChannelPolling({ config, log, temporal, circuits, metrics, pool: pollPool }) : null;
  if (!polling) log.info('WORKER_POLLS=false: this worker does not poll channels; a poller process (npm run start:poller) must run');
  registerPoolMetrics(metrics.registry, { orders: pool, ...(pollPool ? { poll: pollPool } : {}) });
  registerPollBacklogMetric(metrics.registry, pool);
  // Refunds recorded by the API but never started (killed or Temporal unreachable in between) are started here.
  const refundStarts = startRefundStartRecovery({ pool, temporal, config, log, onStarted: metrics.refundStartRecovered });
  // Likewise payouts accepted but never started (they hold their share of the day's payout limit meanwhile).
  const payoutStarts = startPayoutStartRecovery({ pool, temporal, config, log, onStarted: metrics.payoutStartRecovered });
  // Channels' background work (the sandbox's callback retries from its report outbox).
  const deliver = async (orderId: string, report: Parameters<typeof deliverChannelReportById>[2]) => deliverChannelReportById({ temporal, pool, config }, orderId, report);
  const background = CHANNEL_NAMES.flatMap((name) => channels.built[name].startBackground?.({ deliver }) ?? []);
  return {
    worker,
    connection,
    run,
    metrics,
    opsUrl: ops?.url ?? null,
    async stop() {
      await Promise.all([polling?.stop(), refundStarts.stop(), payoutStarts.stop(), ...background.map((b) => b.stop())]);
      await pollPool?.end();
      await circuits.stop();
      await clientConnection.close();
      await ops?.stop();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await run.catch(() => undefined);
      await connection.close();
    },
  };
}
