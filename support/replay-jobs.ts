import { randomUUID } from 'node:crypto';
import { workflowStatus, type SupportEnv } from './temporal';
import { countMatchingOrders, type OrderFilter } from '../db/order-search';
import { createReplayJob, findJob, finishJob, jobProgress } from '../db/support-jobs';
import { SupportError } from '../domain/errors';
import type { notificationReplayJobWorkflow } from '../workflows/support-replay-job';

/** At most this many orders per job (a safety limit: narrow the filter, or run several jobs). */
export const MAX_JOB_ORDERS = 10_000;
const SAMPLE_SIZE = 20;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Dry run: the number of orders a job with this filter would replay now, and the first of them. */
export async function dryRunReplay(env: SupportEnv, filter: OrderFilter) {
  const { count, sample } = await countMatchingOrders(env.pool, filter, SAMPLE_SIZE);
  return { dryRun: true as const, count, sample };
}

/**
 * Starts a bulk replay: snapshots the matching orders (the dry run's query) into support_job_items with the job row
 * (naming the operator who started it), then starts the job's workflow with that operator in its input (every
 * replay of the job is audited with that actor), which replays them at `ratePerSecond` and records each outcome.
 */
export async function startReplayJob(
  env: SupportEnv,
  p: { filter: OrderFilter; filterEcho: Record<string, unknown>; ratePerSecond: number; actor: string },
) {
  const id = randomUUID();
  const workflowId = `support-job:${id}`;
  await createReplayJob(env.pool, { id, workflowId, maxTotal: MAX_JOB_ORDERS, ...p });
  try {
    await env.temporal.workflow.start<typeof notificationReplayJobWorkflow>('notificationReplayJobWorkflow', {
      workflowId, taskQueue: env.taskQueue, args: [{ jobId: id, ratePerSecond: p.ratePerSecond, actor: p.actor }],
    });
  } catch (err) {
    await finishJob(env.pool, id, { state: 'failed', error: `could not start: ${(err as Error).message}` });
    throw err;
  }
  return jobView(env, id);
}

/** A job's progress. A running job whose workflow stopped without finishing it (terminated, failed) is marked failed. */
export async function jobView(env: SupportEnv, id: string) {
  let job = await findJob(env.pool, id);
  if (!job) throw new SupportError('not_found', `no job ${id}`);
  if (job.state === 'running') {
    const status = await workflowStatus(env.temporal, job.workflowId).catch(() => 'RUNNING'); // unknown: report the table
    if (status !== 'RUNNING' && status !== 'CONTINUED_AS_NEW') {
      await finishJob(env.pool, id, { state: 'failed', error: `job workflow ${status.toLowerCase()} before finishing` });
      job = (await findJob(env.pool, id)) ?? job;
    }
  }
  const progress = await jobProgress(env.pool, id);
  return {
    id: job.id, kind: job.kind, state: job.state, total: job.total, done: progress.done, failed: progress.failed,
    pending: progress.pending, byPath: progress.byPath, failures: progress.failures, ratePerSecond: job.ratePerSecond,
    filter: job.filter, workflowId: job.workflowId, error: job.error, actor: job.actor, createdAt: iso(job.createdAtMs),
    finishedAt: iso(job.finishedAtMs),
  };
}
export type JobView = Awaited<ReturnType<typeof jobView>>;
