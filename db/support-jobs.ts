import type { Pool, Queryable } from './pool';
import { inTransaction } from './pool';
import { filterParams, MATCHING_ORDERS_WHERE, type OrderFilter } from './order-search';
import { SupportError } from '../domain/errors';

export type JobState = 'running' | 'completed' | 'failed';
export type JobItemState = 'pending' | 'done' | 'failed';

export interface SupportJob {
  id: string;
  kind: 'notification_replay';
  filter: Record<string, unknown>;
  ratePerSecond: number;
  total: number;
  state: JobState;
  workflowId: string;
  error: string | null;
  /** The support operator who started the job (null for jobs from before operators were named). */
  actor: string | null;
  createdAtMs: number;
  finishedAtMs: number | null;
}

export interface JobProgress {
  done: number;
  failed: number;
  pending: number;
  /** Processed items by replay path ('signal', 'replay-workflow'). */
  byPath: Record<string, number>;
  failures: { orderId: string; error: string | null }[];
}

/** Serialises job creation, so that two concurrent starts cannot both pass the cap on running jobs. */
const JOB_START_LOCK = 74_211_902;

/**
 * Creates a replay job and snapshots the orders it will replay, in one transaction, with the dry run's WHERE clause.
 * Returns the number of orders snapshotted (the job's total). More than `maxTotal` matches: nothing is created
 * (invalid_request; the snapshot stops at maxTotal + 1 rows). With `maxRunning` jobs already running, nothing is
 * created either (too_many_requests); starts are serialised by an advisory lock, so the cap holds across replicas.
 */
export async function createReplayJob(
  pool: Pool,
  j: {
    id: string; filter: OrderFilter; filterEcho: Record<string, unknown>; ratePerSecond: number; workflowId: string; maxTotal: number;
    maxRunning?: number; actor: string;
  },
): Promise<number> {
  return inTransaction(pool, async (tx) => {
    if (j.maxRunning !== undefined) {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [JOB_START_LOCK]);
      const running = await runningJobs(tx);
      if (running.length >= j.maxRunning) {
        throw new SupportError('too_many_requests',
          `${running.length} bulk jobs are running (${running.map((r) => r.id).join(', ')}), the most at once `
          + `(MAX_CONCURRENT_BULK_JOBS=${j.maxRunning}): start this one once one has finished`);
      }
    }
    await tx.query(
      `INSERT INTO support_jobs (id, kind, filter, rate_per_second, total, state, workflow_id, actor)
       VALUES ($1, 'notification_replay', $2::jsonb, $3, 0, 'running', $4, $5)`,
      [j.id, JSON.stringify(j.filterEcho), j.ratePerSecond, j.workflowId, j.actor],
    );
    const inserted = await tx.query(
      `INSERT INTO support_job_items (job_id, order_id) SELECT $6, o.order_id FROM orders o WHERE ${MATCHING_ORDERS_WHERE} LIMIT $7`,
      [...filterParams(j.filter), j.id, j.maxTotal + 1],
    );
    const total = inserted.rowCount ?? 0;
    if (total > j.maxTotal) {
      throw new SupportError('invalid_request', `the filter matches more than ${j.maxTotal} orders, the most one job takes: narrow it (e.g. from/to)`);
    }
    await tx.query('UPDATE support_jobs SET total = $2 WHERE id = $1', [j.id, total]);
    return total;
  });
}

interface JobRow {
  id: string; kind: 'notification_replay'; filter: Record<string, unknown>; rate_per_second: number; total: number; state: JobState;
  workflow_id: string; error: string | null; actor: string | null; created_at: Date; finished_at: Date | null;
}

export async function findJob(db: Queryable, id: string): Promise<SupportJob | null> {
  const { rows } = await db.query<JobRow>('SELECT * FROM support_jobs WHERE id = $1', [id]);
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id, kind: r.kind, filter: r.filter, ratePerSecond: r.rate_per_second, total: r.total, state: r.state,
    workflowId: r.workflow_id, error: r.error, actor: r.actor, createdAtMs: r.created_at.getTime(), finishedAtMs: r.finished_at?.getTime() ?? null,
  };
}

/** Jobs in state 'running', oldest first. */
export async function runningJobs(db: Queryable): Promise<{ id: string; workflowId: string; createdAtMs: number }[]> {
  const { rows } = await db.query<{ id: string; workflow_id: string; created_at: Date }>(
    "SELECT id, workflow_id, created_at FROM support_jobs WHERE state = 'running' ORDER BY created_at");
  return rows.map((r) => ({ id: r.id, workflowId: r.workflow_id, createdAtMs: r.created_at.getTime() }));
}

export async function jobProgress(db: Queryable, id: string, maxFailures = 20): Promise<JobProgress> {
  const counts = await db.query<{ state: JobItemState; path: string | null; n: string }>(
    'SELECT state, path, count(*) AS n FROM support_job_items WHERE job_id = $1 GROUP BY state, path', [id]);
  const progress: JobProgress = { done: 0, failed: 0, pending: 0, byPath: {}, failures: [] };
  for (const r of counts.rows) {
    const n = Number(r.n);
    progress[r.state] += n;
    if (r.state === 'done' && r.path) progress.byPath[r.path] = (progress.byPath[r.path] ?? 0) + n;
  }
  const failures = await db.query<{ order_id: string; error: string | null }>(
    `SELECT order_id, error FROM support_job_items WHERE job_id = $1 AND state = 'failed' ORDER BY processed_at, order_id LIMIT $2`,
    [id, maxFailures]);
  progress.failures = failures.rows.map((r) => ({ orderId: r.order_id, error: r.error }));
  return progress;
}

/** The next pending orders of a job, in a stable order. */
export async function pendingJobItems(db: Queryable, jobId: string, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    `SELECT order_id FROM support_job_items WHERE job_id = $1 AND state = 'pending' ORDER BY order_id LIMIT $2`, [jobId, limit]);
  return rows.map((r) => r.order_id);
}

export async function finishJobItem(
  db: Queryable,
  jobId: string,
  orderId: string,
  r: { state: 'done'; path: string; workflowId: string } | { state: 'failed'; error: string },
): Promise<void> {
  await db.query(
    `UPDATE support_job_items SET state = $3, path = $4, workflow_id = $5, error = $6, processed_at = now()
     WHERE job_id = $1 AND order_id = $2 AND state = 'pending'`,
    [jobId, orderId, r.state, r.state === 'done' ? r.path : null, r.state === 'done' ? r.workflowId : null,
      r.state === 'failed' ? r.error.slice(0, 300) : null],
  );
}

/** Ends a job: completed when it ran through its items, failed (with a reason) when it could not run. */
export async function finishJob(db: Queryable, jobId: string, outcome: { state: 'completed' } | { state: 'failed'; error: string }): Promise<void> {
  await db.query(
    `UPDATE support_jobs SET state = $2, error = $3, finished_at = now() WHERE id = $1 AND state = 'running'`,
    [jobId, outcome.state, outcome.state === 'failed' ? outcome.error.slice(0, 300) : null],
  );
}
