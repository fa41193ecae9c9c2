import { randomUUID } from 'node:crypto';
import type { Logger } from '../../config/logger';
import type { Pool } from '../../db/pool';
import type { ChannelReport } from '../../workflows/definitions';
import { claimDueReports, markReportDelivered, markReportFailed, type ClaimedReport } from './report-outbox';
import { nextReportDelayMs, reportClaimLeaseMs } from '../../domain/report-schedule';
import { startClaimLoop, type ClaimLoopHandle } from '../../worker/claim-loop';

export interface ReportSenderDeps {
  pool: Pool;
  /** SANDBOX_REPORT_SCHEDULE: the delays between attempts. */
  scheduleMs: number[];
  /** Hands the report to the order (deliverChannelReportById); throws when it did not get there. */
  deliver: (orderId: string, report: ChannelReport) => Promise<string>;
  log: Logger;
}

/** What the sandbox reports for a paid order: its callback, as a real channel's would be. */
export const reportOf = (r: Pick<ClaimedReport, 'amountFen' | 'paidAtMs' | 'channelOrderNo'>): ChannelReport => ({
  source: 'callback',
  result: { status: 'SUCCESS', paidAtMs: r.paidAtMs, amountFen: r.amountFen, channelOrderNo: r.channelOrderNo },
});

export type AttemptOutcome = 'delivered' | 'retry' | 'exhausted' | 'taken-over';

/**
 * One claimed attempt to deliver a report (the API's immediate one, or the dispatcher's): delivered, or due again along
 * the schedule, or — after the last attempt — exhausted, logged as an error and left in the outbox for a person.
 */
export async function attemptReport(deps: ReportSenderDeps, claimed: ClaimedReport): Promise<AttemptOutcome> {
  const ids = { orderId: claimed.orderId, channelOrderNo: claimed.channelOrderNo, attempt: claimed.attempts };
  let handedTo: string;
  try {
    handedTo = await deps.deliver(claimed.orderId, reportOf(claimed));
    if (handedTo === 'no-order') throw new Error('the order is not in the read model');
  } catch (err) {
    const message = (err as Error).message;
    const retryInMs = nextReportDelayMs(claimed.attempts, deps.scheduleMs);
    if (!(await markReportFailed(deps.pool, claimed, message, retryInMs))) return 'taken-over';
    if (retryInMs === null) {
      deps.log.error({ ...ids, err: message }, 'sandbox payment report exhausted: left in sandbox_report_outbox for a person');
      return 'exhausted';
    }
    deps.log.warn({ ...ids, err: message, retryInMs }, 'sandbox payment report not delivered; will retry');
    return 'retry';
  }
  await markReportDelivered(deps.pool, claimed.channelOrderNo, handedTo);
  return 'delivered';
}

export type DispatcherHandle = ClaimLoopHandle;

/**
 * The sandbox's callback retries, in the worker process next to the poller: each tick claims the due reports of the
 * outbox (several workers share them: SKIP LOCKED) and attempts each one. What the API's immediate attempt did not
 * deliver — Temporal was down, the API died — is delivered here.
 */
export function startReportDispatcher(
  deps: ReportSenderDeps & { reportTimeoutMs: number; batchSize?: number; concurrency?: number },
): DispatcherHandle {
  const batchSize = deps.batchSize ?? 50;
  const concurrency = deps.concurrency ?? 8;
  const tickMs = Math.max(50, Math.min(1000, ...deps.scheduleMs));
  const leaseMs = reportClaimLeaseMs(deps.reportTimeoutMs);
  return startClaimLoop({
    name: 'sandbox report dispatcher',
    claim: (limit) => claimDueReports(deps.pool, limit, { token: randomUUID(), leaseMs }),
    // A failure to record the outcome leaves the claim to lapse: the row is due again after the lease.
    handle: async (item) => {
      await attemptReport(deps, item);
    },
    describe: (item) => ({ orderId: item.orderId }),
    batchSize,
    concurrency,
    tickMs,
    log: deps.log,
  });
}
