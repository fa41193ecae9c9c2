import { ApplicationFailure } from '@temporalio/common';
import { withHeartbeat } from './heartbeat';
import type { Pool } from '../db/pool';
import type { Logger } from '../config/logger';
import { findOrderById } from '../db/orders';
import { findRefundById } from '../db/refunds';
import {
  beginRun, finishRun, loadLines, markActed, openReconReview, ourSideOf, pendingActions, storeComparison, storeLines, type ReconStatus,
} from '../db/recon';
import type { ChannelName } from '../domain/channels';
import { ACTION_OF, compareStatement, countByKind, type DiscrepancyKind, type StatementLine } from '../domain/reconciliation';
import type { ChannelReport } from '../workflows/definitions';
import type { OrderRecord } from '../db/orders';

/** What reconciliation's activities are built over (wired in worker/create-worker.ts; tests pass their own). */
export interface ReconActivityDeps {
  pool: Pool;
  log: Logger;
  /** Each channel's statement download (channels/plugin.ts BuiltChannel.statement); absent = it has none. */
  statements: Partial<Record<ChannelName, (date: string) => Promise<StatementLine[]>>>;
  /** Hands a channel report to its order (orders/channel-reports.ts): where it went. */
  deliver(order: OrderRecord, report: ChannelReport): Promise<string>;
  /** Counts ended runs (observability/worker-metrics.ts); absent in tests that do not look. */
  runFinished?(channel: string, status: string): void;
}

export interface ReconRef {
  channel: ChannelName;
  date: string;
}

/** At most this many findings are acted on per activity call; the workflow calls again until none is left. */
export const RECON_ACT_BATCH = 200;

/**
 * Reconciliation's steps, each idempotent (a retried or repeated call leaves the same state): download + parse +
 * store the statement, compare it with our side and record the findings, act on what is not acted on yet.
 */
export function createReconActivities(deps: ReconActivityDeps) {
  return {
    /** Starts the run and stores the day's statement; `unsupported` when the channel has none. */
    async reconDownload(r: ReconRef & { workflowId: string; runId: string }): Promise<{ supported: boolean; lines: number }> {
      await beginRun(deps.pool, r);
      const download = deps.statements[r.channel];
      if (!download) return { supported: false, lines: 0 };
      let lines: StatementLine[];
      try {
        lines = await withHeartbeat(() => download(r.date));
      } catch (err) {
        // Not ready, unreachable or unreadable: the workflow tries again on its schedule, then records the failure.
        throw ApplicationFailure.retryable(`statement of ${r.channel} ${r.date}: ${(err as Error).message}`.slice(0, 300), 'StatementUnavailable');
      }
      await storeLines(deps.pool, r.channel, r.date, lines);
      return { supported: true, lines: lines.length };
    },

    /** Compares the stored statement with our side and records the findings; the counts per kind. */
    async reconCompare(r: ReconRef): Promise<{ lines: number; matched: number; counts: Record<DiscrepancyKind, number> }> {
      const lines = await loadLines(deps.pool, r.channel, r.date);
      const ours = await ourSideOf(deps.pool, r.channel, r.date, lines);
      const c = compareStatement(lines, ours.orders, ours.refunds);
      await storeComparison(deps.pool, r.channel, r.date, c, (k) => ACTION_OF[k]);
      return { lines: c.lines, matched: c.matched, counts: countByKind(c.discrepancies) };
    },

    /**
     * Acts on up to RECON_ACT_BATCH findings not acted on yet: money taken that we do not show → a SUCCESS report into
     * the order (its workflow, or the late-payment follow-up); the rest → a review in the human queue. Returns how
     * many it acted on (0 = done).
     */
    async reconAct(r: ReconRef): Promise<{ acted: number }> {
      const pending = await pendingActions(deps.pool, r.channel, r.date, RECON_ACT_BATCH);
      for (const d of pending) {
        const order = await findOrderById(deps.pool, d.orderId);
        // (An order another channel serves now is still ours: the report goes to it, and the workflow takes a payment
        // from a channel the order has left.)
        if (!order) {
          await markActed(deps.pool, d.id, 'no-order');
          continue;
        }
        if (d.action === 'report' && d.line) {
          const handed = await deps.deliver(order, {
            source: 'reconciliation', channel: r.channel,
            result: { status: 'SUCCESS', paidAtMs: d.line.atMs, amountFen: d.line.amountFen, channelOrderNo: d.line.channelTradeNo },
          });
          await markActed(deps.pool, d.id, handed);
        } else {
          const refund = d.refundId ? await findRefundById(deps.pool, d.refundId) : null;
          const opened = await openReconReview(deps.pool, {
            orderId: order.orderId,
            workflowId: refund?.workflowId ?? order.workflowId,
            refundId: refund ? refund.refundId : null,
            reason: `reconciliation ${r.channel} ${r.date}: ${d.detail}`,
            detail: { channel: r.channel, date: r.date, kind: d.kind, key: d.key, channelFen: d.channelFen, ourFen: d.ourFen,
              channelTradeNo: d.channelTradeNo, ...(d.refundId ? { refundId: d.refundId } : {}) },
          });
          await markActed(deps.pool, d.id, opened ? 'review-opened' : 'review-open');
        }
      }
      if (pending.length > 0) deps.log.info({ channel: r.channel, date: r.date, acted: pending.length }, 'reconciliation acted on findings');
      return { acted: pending.length };
    },

    /** Ends the run with its status (and why it failed). */
    async reconFinish(r: ReconRef & { status: Exclude<ReconStatus, 'running'>; error?: string }): Promise<void> {
      await finishRun(deps.pool, r);
      deps.runFinished?.(r.channel, r.status);
      if (r.status === 'failed') deps.log.warn({ channel: r.channel, date: r.date, error: r.error }, 'reconciliation failed: the day needs a person (recon run again)');
    },
  };
}

export type ReconActivities = ReturnType<typeof createReconActivities>;
