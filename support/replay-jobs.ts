import { randomUUID } from 'node:crypto';
import { workflowStatus, type SupportEnv } from './temporal';
import { countMatchingOrders, type OrderFilter } from '../db/order-search';
import { createReplayJob, findJob, finishJob, jobProgress, runningJobs } from '../db/support-jobs';
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

/** A running job whose workflow is not found yet may be one being started right now: it is left alone this long. */
const STARTING_GRACE_MS = 60_000;

/**
 * Starts a bulk replay: snapshots the matching orders (the dry run's query) into support_job_items with the job row
 * (naming the operator who started it), then starts the job's workflow with that operator in its input, which replays them at `ratePerSecond` and records each outcome. At most
 * `maxRunning` jobs run at once (MAX_CONCURRENT_BULK_JOBS): over it, too_many_requests (HTTP 429) and nothing is
 * created. Jobs whose workflow stopped without finishing (terminated) are marked failed first, so they do not count.
 */
export async function startReplayJob(
  env: SupportEnv,
  p: { filter: OrderFilter; filterEcho: Record<string, unknown>; ratePerSecond: number; maxRunning: number; actor: string },
) {
  const id = randomUUID();
  const workflowId = `support-job:${id}`;
  const running = await runningJobs(env.pool);
  if (running.length >= p.maxRunning) {
    for (const job of running) await failIfStopped(env, job, { graceMs: STARTING_GRACE_MS });
  }
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
  if (job.state === 'running' && await failIfStopped(env, job)) job = (await findJob(env.pool, id)) ?? job;
  const progress = await jobProgress(env.pool, id);
  return {
    id: job.id, kind: job.kind, state: job.state, total: job.total, done: progress.done, failed: progress.failed,
    pending: progress.pending, byPath: progress.byPath, failures: progress.failures, ratePerSecond: job.ratePerSecond,
    filter: job.filter, workflowId: job.workflowId, error: job.error, actor: job.actor, createdAt: iso(job.createdAtMs),
    finishedAt: iso(job.finishedAtMs),
  };
}
export type JobView = Awaited<ReturnType<typeof jobView>>;

/**
 * Marks a running job failed when its workflow is no longer running (terminated, failed, gone); true if it did.
 * A status Temporal cannot tell now counts as running. With `graceMs`, a job younger than that whose workflow is not
 * found is left alone (its start may be in progress).
 */
async function failIfStopped(
  env: SupportEnv, job: { id: string; workflowId: string; createdAtMs: number }, opts: { graceMs?: number } = {},
): Promise<boolean> {
  const status = await workflowStatus(env.temporal, job.workflowId).catch(() => 'RUNNING');
  if (status === 'RUNNING' || status === 'CONTINUED_AS_NEW') return false;
  if (status === 'NOT_FOUND' && opts.graceMs !== undefined && Date.now() - job.createdAtMs < opts.graceMs) return false;
  await finishJob(env.pool, job.id, { state: 'failed', error: `job workflow ${status.toLowerCase()} before finishing` });
  return true;
}
