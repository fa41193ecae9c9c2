import { ActivityFailure, ApplicationFailure, log, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { ReconActivities } from '../activities/reconciliation';
import type { ChannelName } from '../domain/channels';
import { isStatementDate, previousShanghaiDate, type DiscrepancyKind } from '../domain/reconciliation';

/** Input of one channel's reconciliation of one day. */
export interface ReconciliationInput {
  channel: ChannelName;
  /**
   * The Asia/Shanghai day `YYYY-MM-DD`. Absent (the daily schedule): the day before the schedule's nominal start time
   * (TemporalScheduledStartTime, else the workflow's start), so a task run twice reconciles the same day.
   */
  date?: string;
  /** A statement that cannot be had is asked for again after each delay; after the last one the run is failed. */
  retryScheduleMs: number[];
}

export interface ReconciliationResult {
  channel: ChannelName;
  date: string;
  status: 'done' | 'failed' | 'unsupported';
  lines: number;
  matched: number;
  counts?: Record<DiscrepancyKind, number>;
  error?: string;
}

/**
 * Activity options: the download gets one attempt per call (the workflow's own schedule retries it). It heartbeats
 * while it runs (activities/heartbeat.ts), so a worker killed mid-download costs 30 s, not the 5-minute bound.
 */
const DOWNLOAD = { startToCloseTimeout: '5m', heartbeatTimeout: '30s', retry: { maximumAttempts: 1 } } as const;
/** The database steps: short, infrastructure retries only, bounded (then the run fails visibly). */
const STEP = { startToCloseTimeout: '2m', retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 20 } } as const;

const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/**
 * One channel's reconciliation of one day (docs/channels.md "Reconciliation"): download, parse and store the
 * statement (retried on `retryScheduleMs`, then the run is recorded as failed: a person sees it in the reports),
 * compare it with our orders and refunds, act on the findings (money taken that we do not show → a SUCCESS report
 * into the order under the late-payment rule; the rest → the human queue), record the run. Every step is idempotent,
 * so running a day again (support `recon run`) acts only on what was not acted on. Deterministic: the day comes from
 * the input or the schedule's nominal time.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationResult> {
  const info = workflowInfo();
  const nominal = info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime;
  const date = input.date ?? previousShanghaiDate(nominal.getTime());
  if (!isStatementDate(date)) throw ApplicationFailure.nonRetryable(`date must be YYYY-MM-DD: ${date}`);
  const ref = { channel: input.channel, date };
  const download = proxyActivities<ReconActivities>(DOWNLOAD);
  const acts = proxyActivities<ReconActivities>(STEP);
  const base = { channel: input.channel, date };
  try {
    let fetched: { supported: boolean; lines: number } | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        fetched = await download.reconDownload({ ...ref, workflowId: info.workflowId, runId: info.runId });
        break;
      } catch (err) {
        const why = err instanceof ActivityFailure ? err.cause?.message ?? err.message : (err as Error).message;
        const delay = input.retryScheduleMs[attempt];
        if (delay === undefined) {
          await acts.reconFinish({ ...ref, status: 'failed', error: why });
          log.warn('reconciliation failed: no statement', { ...ref, why });
          return { ...base, status: 'failed', lines: 0, matched: 0, error: why };
        }
        await sleep(delay);
      }
    }
    if (!fetched.supported) {
      await acts.reconFinish({ ...ref, status: 'unsupported' });
      return { ...base, status: 'unsupported', lines: 0, matched: 0 };
    }
    const compared = await acts.reconCompare(ref);
    while ((await acts.reconAct(ref)).acted > 0) { /* next batch */ }
    await acts.reconFinish({ ...ref, status: 'done' });
    return { ...base, status: 'done', lines: compared.lines, matched: compared.matched, counts: compared.counts };
  } catch (err) {
    // A database step that used up its attempts: the run is recorded as failed (best effort) and the workflow fails.
    await acts.reconFinish({ ...ref, status: 'failed', error: (err as Error).message }).catch(() => undefined);
    throw err;
  }
}
