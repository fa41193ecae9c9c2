import type { ActivityDeps } from './deps';
import {
  ChannelRetryableError, type ChannelCreateResult, type ChannelName, type ChannelOrderRef, type ChannelOrderRequest, type ChannelRefundRef,
  type ChannelRefundRequest, type ChannelRefundStatus, type ChannelStatus, type ChannelTransferRef, type ChannelTransferRequest,
  type ChannelTransferStatus,
} from '../domain/channels';
import { recordChannelCall, type ChannelOp } from '../db/channel-calls';

/**
 * Calls to the upstream channel. A network error or timeout becomes UNKNOWN (never a failure), so the workflow
 * decides what to do from the closed union instead of from exceptions. Each call asks the channel's circuit breaker
 * first (channels/circuits.ts): an open circuit answers without calling — a create UNAVAILABLE (the channel cannot
 * have the order), a query or close UNKNOWN — and every answer tells the breaker whether the channel is answering.
 * The one exception that passes through is ChannelRetryableError (the call did not get through, for a reason of our
 * own, and is safe to repeat): the activity fails and Temporal retries it with its bounded backoff; the breaker is
 * not told, since the channel was never asked.
 */
export function createChannelActivities({ channels, log, pool, circuits }: ActivityDeps) {
  const unknown = (op: string, channel: string, err: unknown) => {
    log.warn({ op, channel, err: (err as Error).message }, 'channel call failed; result unknown');
    return (err as Error).message || 'channel call failed';
  };
  /** Runs one channel call and records it in channel_calls (best effort: a failed record never fails the call). */
  async function recorded<T extends ChannelCreateResult | ChannelStatus | ChannelRefundStatus | ChannelTransferStatus>(
    op: ChannelOp, channel: ChannelName, orderId: string, call: () => Promise<T>, onError: (reason: string) => T,
    refused: (retryAt: string) => T = (retryAt) => onError(`${channel} circuit open until ${retryAt}: not asked`),
  ): Promise<T> {
    const calledAtMs = Date.now();
    const started = performance.now();
    // A refund is asked once and only ever settled by queries afterwards: an open circuit must not turn it into a
    // request that was never sent, so it always goes out (and tells the breaker how the channel answered).
    const permit = (op === 'refund' || op === 'transfer' ? undefined : circuits?.acquire(channel, op)) ?? { allowed: true, probe: false };
    let result: T;
    if (!permit.allowed) {
      result = refused(new Date(permit.retryAtMs).toISOString());
    } else {
      try {
        result = await call();
      } catch (err) {
        if (err instanceof ChannelRetryableError) {
          log.warn({ op, channel, orderId, err: err.message }, 'channel call did not get through; the activity retries it');
          throw err;
        }
        result = onError(unknown(op, channel, err));
      }
      circuits?.record(channel, ('kind' in result ? result.kind : result.status) !== 'UNKNOWN', permit.probe);
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
        (reason) => ({ kind: 'UNKNOWN', reason }),
        (retryAt) => ({ kind: 'UNAVAILABLE', reason: `${a.channel} circuit open until ${retryAt}: not asked` }));
    },
    async channelQuery(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      return recorded<ChannelStatus>('query', a.channel, a.ref.orderId, () => channels[a.channel].query(a.ref),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    async channelClose(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      return recorded<ChannelStatus>('close', a.channel, a.ref.orderId, () => channels[a.channel].close(a.ref),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    /**
     * Asks the channel for a refund. The refund workflow runs this once (no retry: a lost attempt is settled by
     * refund queries with the same refundId, which the channel deduplicates), so it is never sent twice by us.
     */
    async channelRefund(a: { channel: ChannelName; req: ChannelRefundRequest }): Promise<ChannelRefundStatus> {
      return recorded<ChannelRefundStatus>('refund', a.channel, a.req.orderId, () => channels[a.channel].refund(a.req),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    async channelRefundQuery(a: { channel: ChannelName; ref: ChannelRefundRef }): Promise<ChannelRefundStatus> {
      return recorded<ChannelRefundStatus>('refund_query', a.channel, a.ref.orderId, () => channels[a.channel].queryRefund(a.ref),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    /**
     * Asks the channel to pay out. The payout workflow runs this once (no retry: a lost attempt is settled by
     * transfer queries with the same out_biz_no, which the channel deduplicates), so it is never sent twice by us.
     */
    async channelTransfer(a: { channel: ChannelName; req: ChannelTransferRequest }): Promise<ChannelTransferStatus> {
      const channel = channels[a.channel];
      return recorded<ChannelTransferStatus>('transfer', a.channel, a.req.orderId,
        () => (channel.transfer ? channel.transfer(a.req) : Promise.resolve({ status: 'UNSUPPORTED', reason: `${a.channel} makes no payouts` })),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
    async channelTransferQuery(a: { channel: ChannelName; ref: ChannelTransferRef }): Promise<ChannelTransferStatus> {
      const channel = channels[a.channel];
      return recorded<ChannelTransferStatus>('transfer_query', a.channel, a.ref.orderId,
        () => (channel.queryTransfer ? channel.queryTransfer(a.ref) : Promise.resolve({ status: 'UNSUPPORTED', reason: `${a.channel} makes no payouts` })),
        (reason) => ({ status: 'UNKNOWN', reason }));
    },
  };
}
