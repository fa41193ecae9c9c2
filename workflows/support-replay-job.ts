import { continueAsNew, proxyActivities, sleep } from '@temporalio/workflow';
import type { SupportJobActivities } from '../activities/support-jobs';

export interface ReplayJobInput {
  jobId: string;
  /** At most this many orders are replayed per second. */
  ratePerSecond: number;
  /**
   * The operator who started the job (support API credential): every replay the job makes is audited with this
   * actor. Absent only in jobs started before it was part of the input; their activities read it from the job row.
   */
  actor?: string;
}

/** One batch (≤ 50 replays) well within this; infrastructure failures retry, refusals are recorded per order. */
const JOB_ACTIVITY = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
} as const;
/** Batches per workflow run before continuing as new (keeps the history short for large jobs). */
const BATCHES_PER_RUN = 500;

/**
 * A bulk notification replay (support API `POST /support/v1/notifications/replay`). The orders were snapshotted into
 * support_job_items when the job was created; each second this replays up to `ratePerSecond` of them, until none is
 * pending. Durable: an API or worker restart does not lose or repeat the job's progress.
 */
export async function notificationReplayJobWorkflow(input: ReplayJobInput): Promise<void> {
  const acts = proxyActivities<SupportJobActivities>(JOB_ACTIVITY);
  for (let batch = 0; batch < BATCHES_PER_RUN; batch++) {
    const started = Date.now();
    const { processed } = await acts.replayJobBatch({
      jobId: input.jobId, limit: input.ratePerSecond, ...(input.actor !== undefined ? { actor: input.actor } : {}),
    });
    if (processed < input.ratePerSecond) {
      await acts.finishReplayJob({ jobId: input.jobId });
      return;
    }
    const rest = 1000 - (Date.now() - started);
    if (rest > 0) await sleep(rest);
  }
  await continueAsNew<typeof notificationReplayJobWorkflow>(input);
}
