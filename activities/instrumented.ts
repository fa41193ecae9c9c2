import type { ActivityDeps } from './deps';
import type { createChannelActivities } from './channel-calls';
import type { createNotifyActivities } from './notify-delivery';
import type { createOrderRecordActivities } from './order-records';

type Activities = ReturnType<typeof createOrderRecordActivities> &
  ReturnType<typeof createChannelActivities> &
  ReturnType<typeof createNotifyActivities>;

/**
 * Wraps the channel calls and notification attempts with the `metrics` hooks; without `deps.metrics` nothing is
 * wrapped. State transitions report from the read-model activities themselves, which learn the status they left
 * from the guarded UPDATE and need no extra read.
 */
export function withMetrics<A extends Activities>(acts: A, deps: Pick<ActivityDeps, 'metrics'>): A {
  const { metrics } = deps;
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

    async deliverNotification(req: Parameters<Activities['deliverNotification']>[0]) {
      try {
        const result = await acts.deliverNotification(req);
        if (!result.skipped && !result.endpointPaused) metrics.notifyAttempt({ outcome: result.delivered ? 'success' : 'failed', latencyMs: result.latencyMs });
        return result;
      } catch (err) {
        metrics.notifyAttempt({ outcome: 'error', latencyMs: null });
        throw err;
      }
    },
  };
}

