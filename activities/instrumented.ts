import type { ActivityDeps } from './deps';
import type { createChannelActivities } from './channel-calls';
import type { createNotifyActivities } from './notify-delivery';
import type { createOrderRecordActivities } from './order-records';
import { findOrderById } from '../db/orders';

type Activities = ReturnType<typeof createOrderRecordActivities> &
  ReturnType<typeof createChannelActivities> &
  ReturnType<typeof createNotifyActivities>;

/**
 * Wraps the activities that metrics observe — state transitions, channel calls, notification attempts — with the
 * `metrics` hooks. The activities themselves stay free of metrics code; without `deps.metrics` nothing is wrapped.
 */
export function withMetrics<A extends Activities>(acts: A, deps: Pick<ActivityDeps, 'pool' | 'metrics'>): A {
  const { metrics, pool } = deps;
  if (!metrics) return acts;
  const timeChannel = <In extends { channel: string }, Out>(op: 'create' | 'query' | 'close', fn: (a: In) => Promise<Out>, resultOf: (r: Out) => string) =>
    async (a: In): Promise<Out> => {
      const started = performance.now();
      let result = 'error';
      try {
        const r = await fn(a);
        result = resultOf(r);
        return r;
      } finally {
        metrics.channelCall({ channel: a.channel, op, result, durationMs: performance.now() - started });
      }
    };

  return {
    ...acts,
    channelCreate: timeChannel('create', acts.channelCreate, (r) => r.kind),
    channelQuery: timeChannel('query', acts.channelQuery, (r) => r.status),
    channelClose: timeChannel('close', acts.channelClose, (r) => r.status),

    async openOrder(a: Parameters<Activities['openOrder']>[0]): Promise<void> {
      const existed = (await findOrderById(pool, a.orderId)) !== null;
      await acts.openOrder(a);
      if (!existed) metrics.orderTransition({ from: 'none', to: 'p0001', channel: a.channel });
    },

    async transition(a: Parameters<Activities['transition']>[0]): Promise<boolean> {
      // Read the status being left: `a.from` may list several (late payments), the metric wants the real one.
      const before = await findOrderById(pool, a.orderId);
      const applied = await acts.transition(a);
      if (applied && before) metrics.orderTransition({ from: before.payStatus, to: a.to, channel: before.channel });
      return applied;
    },

    async deliverNotification(req: Parameters<Activities['deliverNotification']>[0]) {
      try {
        const result = await acts.deliverNotification(req);
        metrics.notifyAttempt({ outcome: result.delivered ? 'success' : 'failed', latencyMs: result.latencyMs });
        return result;
      } catch (err) {
        metrics.notifyAttempt({ outcome: 'error', latencyMs: null });
        throw err;
      }
    },
  };
}

