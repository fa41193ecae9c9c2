import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import { findOrderById } from '../db/orders';
import { createActivities } from '../activities';
import { activityDepsFromConfig } from '../activities/deps';
import { createChannels } from '../channels/registry';
import type { ChannelCircuits } from '../channels/circuits';
import type { ChannelName } from '../domain/channels';
import type { WorkerMetrics } from '../observability/worker-metrics';
import { deliverChannelReport } from '../orders/channel-reports';
import { startPoller } from './poller';

export interface ChannelPollingHandle {
  /** Stops polling and waits for the polls in flight (the pool is the caller's to close). */
  stop(): Promise<void>;
}

/**
 * Channel status polling of open orders (polling/poller.ts) over a PostgreSQL pool of its own (POLL_PG_POOL_MAX) and
 * its own build of the channels and of the recorded channelQuery activity over that pool: however many orders are
 * due, a paying order's steps find a free connection. Run inside a worker (WORKER_POLLS=true) or as a process of its
 * own (polling/main.ts, over the pool it booted with); the pool and the channel circuits are those of the caller.
 */
export function startChannelPolling(deps: {
  config: AppConfig;
  log: Logger;
  temporal: Client;
  circuits: ChannelCircuits;
  metrics: WorkerMetrics;
  /** The pool to poll over (POLL_PG_POOL_MAX connections), owned by the caller. */
  pool: Pool;
}): ChannelPollingHandle {
  const { config, log, temporal, circuits, metrics, pool } = deps;
  const channels = createChannels({ pool, config, log });
  const activities = createActivities(activityDepsFromConfig(config, {
    pool, channels: channels.registry, log, circuits, metrics: metrics.activities,
  }));
  const poller = startPoller({
    pool, scheduleMs: config.pollScheduleMs, query: activities.channelQuery, log, concurrency: config.poller.concurrency,
    // An open circuit pauses the channel's polls: the order is asked at its next scheduled poll instead.
    paused: (channel: ChannelName) => {
      if (circuits.wouldAllow(channel)) return false;
      metrics.circuits.circuitRefused(channel, 'poll');
      return true;
    },
    report: async (due, result) => {
      const order = await findOrderById(pool, due.orderId);
      if (order) await deliverChannelReport({ temporal, pool, config }, order, { source: 'poll', channel: due.channel as ChannelName, result });
    },
  });
  return { stop: () => poller.stop() };
}
