import type { Queryable } from './pool';

export interface NotifyAttempt {
  notifyId: string;
  orderId: string;
  attempt: number;
  payStatus: string;
  url: string;
  startedAtMs: number;
  latencyMs: number;
  httpStatus: number | null;
  answerExcerpt: string | null;
  outcome: 'success' | 'failed';
  error: string | null;
}

/** Records one delivery attempt; a replayed activity overwrites its own row instead of adding one. */
export async function recordAttempt(db: Queryable, a: NotifyAttempt): Promise<void> {
  await db.query(
    `INSERT INTO notify_attempts (notify_id, order_id, attempt, pay_status, url, started_at, latency_ms, http_status,
       answer_excerpt, outcome, error)
     VALUES ($1,$2,$3,$4,$5,to_timestamp($6::double precision / 1000),$7,$8,$9,$10,$11)
     ON CONFLICT (notify_id, attempt) DO UPDATE SET started_at = EXCLUDED.started_at, latency_ms = EXCLUDED.latency_ms,
       http_status = EXCLUDED.http_status, answer_excerpt = EXCLUDED.answer_excerpt, outcome = EXCLUDED.outcome,
       error = EXCLUDED.error`,
    [a.notifyId, a.orderId, a.attempt, a.payStatus, a.url, a.startedAtMs, a.latencyMs, a.httpStatus, a.answerExcerpt,
      a.outcome, a.error],
  );
}

export async function listAttempts(db: Queryable, orderId: string): Promise<NotifyAttempt[]> {
  const { rows } = await db.query<{
    notify_id: string; order_id: string; attempt: number; pay_status: string; url: string; started_at: Date;
    latency_ms: number; http_status: number | null; answer_excerpt: string | null; outcome: 'success' | 'failed'; error: string | null;
  }>('SELECT * FROM notify_attempts WHERE order_id = $1 ORDER BY started_at, attempt', [orderId]);
  return rows.map((r) => ({
    notifyId: r.notify_id, orderId: r.order_id, attempt: r.attempt, payStatus: r.pay_status, url: r.url,
    startedAtMs: r.started_at.getTime(), latencyMs: r.latency_ms, httpStatus: r.http_status,
    answerExcerpt: r.answer_excerpt, outcome: r.outcome, error: r.error,
  }));
}

export async function lastAttemptNumber(db: Queryable, notifyId: string): Promise<number> {
  const { rows } = await db.query<{ n: number | null }>('SELECT max(attempt) AS n FROM notify_attempts WHERE notify_id = $1', [notifyId]);
  return rows[0]?.n ?? 0;
}

/**
 * The acknowledged outcome of one attempt (notifyId + attempt number), if that attempt already went through: an
 * activity that runs again after its result was lost (a worker or Temporal killed before the workflow task that ran it
 * completed) finds the merchant's `success` here instead of posting the same attempt a second time.
 */
export async function findAcknowledgedAttempt(db: Queryable, notifyId: string, attempt: number): Promise<{ httpStatus: number | null; latencyMs: number } | null> {
  const { rows } = await db.query<{ http_status: number | null; latency_ms: number }>(
    `SELECT http_status, latency_ms FROM notify_attempts WHERE notify_id = $1 AND attempt = $2 AND outcome = 'success'`,
    [notifyId, attempt],
  );
  return rows[0] ? { httpStatus: rows[0].http_status, latencyMs: rows[0].latency_ms } : null;
}
