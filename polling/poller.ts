import type { ChannelName, ChannelOrderRef, ChannelStatus } from '../domain/channels';
import type { Logger } from '../config/logger';
import { claimDuePolls, type DuePoll } from '../db/due-polls';
import type { Pool } from '../db/pool';
import { OPEN_STATUSES } from '../domain/pay-status';
import { startClaimLoop, type ClaimLoopHandle } from '../worker/claim-loop';

export interface PollerDeps {
  pool: Pool;
  /** The backoff between polls of one order; the last delay repeats. */
  scheduleMs: number[];
  /** Asks the channel (the worker passes its recorded, instrumented channelQuery activity function). */
  query: (a: { channel: ChannelName; ref: ChannelOrderRef }) => Promise<ChannelStatus>;
  /** Hands a final result to the order (its workflow, or the late-payment follow-up once it has closed). */
  report: (due: DuePoll, result: ChannelStatus) => Promise<void>;
  /** Whether the channel's polls are paused now (its circuit is open): the order waits for its next scheduled poll. */
  paused?: (channel: ChannelName) => boolean;
  log: Logger;
  batchSize?: number;
  /** Polls in flight at once (POLL_CONCURRENCY). */
  concurrency: number;
}

export type PollerHandle = ClaimLoopHandle;

/**
 * Channel status polling for every open order, outside the workflows. Each tick claims the orders whose next poll is
 * due (the database moves them along the backoff schedule), asks their channel, and wakes an order's workflow only
 * when the channel reports a final result (SUCCESS or FAIL). An open order therefore costs the Temporal server
 * nothing while it waits, however many are open; the channel sees each order at most once per scheduled delay.
 */
export function startPoller(deps: PollerDeps): PollerHandle {
  const batchSize = deps.batchSize ?? 200;
  const tickMs = Math.max(50, Math.min(1000, ...deps.scheduleMs));

  async function pollOne(due: DuePoll): Promise<void> {
    const ref = { orderId: due.orderId, ...(due.channelOrderNo ? { channelOrderNo: due.channelOrderNo } : {}) };
    const channel = due.channel as ChannelName;
    if (deps.paused?.(channel)) return;
    const result = await deps.query({ channel, ref });
    // An open order wakes on any final result; a closed or expired one being watched only on money taken.
    const open = (OPEN_STATUSES as readonly string[]).includes(due.payStatus);
    if (result.status === 'SUCCESS' || (open && result.status === 'FAIL')) await deps.report(due, result);
  }

  return startClaimLoop({
    name: 'poller',
    claim: (limit) => claimDuePolls(deps.pool, deps.scheduleMs, limit),
    handle: pollOne,
    describe: (item) => ({ orderId: item.orderId }),
    batchSize,
    concurrency: deps.concurrency,
    tickMs,
    log: deps.log,
  });
}
