import type { ActivityDeps } from './deps';
import { ChannelRetryableError, type ChannelCreateResult, type ChannelName, type ChannelOrderRef, type ChannelOrderRequest, type ChannelStatus } from '../domain/channels';
import { recordChannelCall, type ChannelOp } from '../db/channel-calls';

/**
 * Calls to the upstream channel. A network error or timeout becomes UNKNOWN (never a failure), so the workflow
 * decides what to do from the closed union instead of from exceptions. The one exception that passes through is
 * ChannelRetryableError (the call did not get through, for a reason of our own, and is safe to repeat): the activity
 * fails and Temporal retries it with its bounded backoff.
 */
export function createChannelActivities({ channels, log, pool }: ActivityDeps) {
  const unknown = (op: string, channel: string, err: unknown) => {
    log.warn({ op, channel, err: (err as Error).message }, 'channel call failed; result unknown');
    return (err as Error).message || 'channel call failed';
  };
  /** Runs one channel call and records it in channel_calls (best effort: a failed record never fails the call). */
  async function recorded<T extends ChannelCreateResult | ChannelStatus>(
    op: ChannelOp, channel: ChannelName, orderId: string, call: () => Promise<T>, onError: (reason: string) => T,
  ): Promise<T> {
    const calledAtMs = Date.now();
    const started = performance.now();
    let result: T;
    try {
      result = await call();
    } catch (err) {
      if (err instanceof ChannelRetryableError) {
        log.warn({ op, channel, orderId, err: err.message }, 'channel call did not get through; the activity retries it');
        throw err;
      }
      result = onError(unknown(op, channel, err));
    }
    const status = 'kind' in result ? result.kind : result.status;
    await recordChannelCall(pool, {
      orderId, channel, op, status, latencyMs: Math.round(performance.now() - started), calledAtMs,
      error: 'reason' in result ? result.reason : null,
    }).catch((err: unknown) => log.warn({ op, channel, orderId, err: (err as Error).message }, 'channel call not recorded'));
    return result;
  }
  return {
    async channelCreate(a: { channel: ChannelName; order: ChannelOrderRequest }): Promise<ChannelCreateResult> {
      return recorded<ChannelCreateResult>('create', a.channel, a.order.orderId, () => channels[a.channel].create(a.order),
        (reason) => ({ kind: 'UNKNOWN', reason }));
    },
    async channelQuery(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      return recorded<ChannelStatus>('query', a.channel, a.ref.orderId, () => channels[a.channel].query(a.ref),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    async channelClose(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      return recorded<ChannelStatus>('close', a.channel, a.ref.orderId, () => channels[a.channel].close(a.ref),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
  };
}
