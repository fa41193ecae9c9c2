import type { Queryable } from '../../db/pool';
import { parseFenColumn } from '../../domain/money';

/**
 * The sandbox's outbox of payment reports (table sandbox_report_outbox, migration 007): one row per paid sandbox
 * order, written in the transaction that marks it paid. An attempt holds its row by a claim (a token and a lease);
 * the row ends delivered, or exhausted for a person after the last attempt of SANDBOX_REPORT_SCHEDULE.
 */
export interface ClaimedReport {
  channelOrderNo: string;
  orderId: string;
  /** Attempts started so far, this one included. */
  attempts: number;
  claimToken: string;
  amountFen: number;
  paidAtMs: number;
}

export type ReportState = 'pending' | 'delivered' | 'exhausted';

interface ClaimedRow {
  channel_order_no: string;
  order_id: string;
  attempts: number;
  claim_token: string;
  amount_fen: string;
  paid_at: Date;
}

const toClaimed = (r: ClaimedRow): ClaimedReport => ({
  channelOrderNo: r.channel_order_no,
  orderId: r.order_id,
  attempts: r.attempts,
  claimToken: r.claim_token,
  amountFen: parseFenColumn(r.amount_fen),
  paidAtMs: r.paid_at.getTime(),
});

/**
 * Queues the report of a sandbox order just paid, already claimed for the payer's immediate attempt (attempt 1). Call
 * it inside the transaction that marks the order paid. A row that is already there (the order was paid once) is kept.
 */
export async function queueReport(
  tx: Queryable,
  paid: { channelOrderNo: string; orderId: string },
  claim: { token: string; leaseMs: number },
): Promise<void> {
  await tx.query(
    `INSERT INTO sandbox_report_outbox (channel_order_no, order_id, attempts, next_attempt_at, claim_token)
     VALUES ($1, $2, 1, now() + $3::int * interval '1 millisecond', $4)
     ON CONFLICT (channel_order_no) DO NOTHING`,
    [paid.channelOrderNo, paid.orderId, claim.leaseMs, claim.token],
  );
}

/**
 * Claims up to `limit` pending reports that are due: each one's attempt count goes up and its next attempt moves past
 * the lease, under a new token. Concurrent dispatchers claim disjoint rows (FOR UPDATE SKIP LOCKED).
 */
export async function claimDueReports(db: Queryable, limit: number, claim: { token: string; leaseMs: number }): Promise<ClaimedReport[]> {
  const { rows } = await db.query<ClaimedRow>(
    `WITH due AS (
       SELECT channel_order_no FROM sandbox_report_outbox
       WHERE state = 'pending' AND next_attempt_at <= now()
       ORDER BY next_attempt_at LIMIT $1
       FOR UPDATE SKIP LOCKED)
     UPDATE sandbox_report_outbox r SET
       attempts = r.attempts + 1,
       next_attempt_at = now() + $2::int * interval '1 millisecond',
       claim_token = $3
     FROM due, sandbox_orders s
     WHERE r.channel_order_no = due.channel_order_no AND s.channel_order_no = r.channel_order_no
     RETURNING r.channel_order_no, r.order_id, r.attempts, r.claim_token, s.amount_fen, s.paid_at`,
    [limit, claim.leaseMs, claim.token],
  );
  return rows.map(toClaimed);
}

/** The report reached the order (whoever's attempt it was): delivered for good. */
export async function markReportDelivered(db: Queryable, channelOrderNo: string, handedTo: string): Promise<void> {
  await db.query(
    `UPDATE sandbox_report_outbox SET state = 'delivered', handed_to = $2, delivered_at = now(), claim_token = NULL, last_error = NULL
     WHERE channel_order_no = $1 AND state = 'pending'`,
    [channelOrderNo, handedTo],
  );
}

/**
 * A claimed attempt failed: due again after `retryInMs`, or exhausted when null. Applies only while the claim is
 * still this attempt's (a lapsed claim taken over by another dispatcher is left to that one).
 */
export async function markReportFailed(
  db: Queryable,
  claimed: Pick<ClaimedReport, 'channelOrderNo' | 'claimToken'>,
  error: string,
  retryInMs: number | null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE sandbox_report_outbox SET
       state = CASE WHEN $4::int IS NULL THEN 'exhausted' ELSE 'pending' END,
       next_attempt_at = CASE WHEN $4::int IS NULL THEN next_attempt_at ELSE now() + $4::int * interval '1 millisecond' END,
       claim_token = NULL,
       last_error = left($3, 500)
     WHERE channel_order_no = $1 AND claim_token = $2 AND state = 'pending'`,
    [claimed.channelOrderNo, claimed.claimToken, error, retryInMs],
  );
  return (rowCount ?? 0) > 0;
}

export interface OutboxRow {
  channelOrderNo: string;
  orderId: string;
  state: ReportState;
  attempts: number;
  nextAttemptAtMs: number;
  lastError: string | null;
  handedTo: string | null;
}

/** One order's outbox row, for tests and support. */
export async function findReport(db: Queryable, orderId: string): Promise<OutboxRow | null> {
  const { rows } = await db.query<{
    channel_order_no: string; order_id: string; state: ReportState; attempts: number; next_attempt_at: Date; last_error: string | null; handed_to: string | null;
  }>('SELECT * FROM sandbox_report_outbox WHERE order_id = $1', [orderId]);
  const r = rows[0];
  return r ? {
    channelOrderNo: r.channel_order_no, orderId: r.order_id, state: r.state, attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at.getTime(), lastError: r.last_error, handedTo: r.handed_to,
  } : null;
}
