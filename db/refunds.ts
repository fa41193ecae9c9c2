import type { Queryable } from './pool';
import { parseFenColumn } from '../domain/money';
import type { NotifyState } from '../domain/pay-status';
import { refundSourcesOf, type RefundStatus } from '../domain/refund-status';

/** The refund read model (table refunds, migration 017). */
export interface RefundRecord {
  refundId: string;
  mercNo: string;
  mercRefundNo: string;
  orderId: string;
  workflowId: string;
  requestHash: string;
  livemode: boolean;
  channel: string;
  amountFen: number;
  reason: string | null;
  notifyUrl: string;
  signType: string;
  refundStatus: RefundStatus;
  channelRefundNo: string | null;
  refundEndTime: string | null;
  failReason: string | null;
  notifyState: NotifyState;
  notifyAttempts: number;
  notifyNextAtMs: number | null;
  createdAtMs: number;
  /** Its start is in the human queue (the workers' start recovery gave up on it: db/start-escalations.ts). */
  startEscalated: boolean;
}

interface Row {
  refund_id: string; merc_no: string; merc_refund_no: string; order_id: string; workflow_id: string; request_hash: string;
  livemode: boolean; channel: string; refund_amt_fen: string; reason: string | null; notify_url: string; sign_type: string;
  refund_status: RefundStatus; channel_refund_no: string | null; refund_end_time: string | null; fail_reason: string | null;
  notify_state: NotifyState; notify_attempts: number; notify_next_at: Date | null; created_at: Date;
  start_escalated_at: Date | null;
}

const toRecord = (r: Row): RefundRecord => ({
  refundId: r.refund_id, mercNo: r.merc_no, mercRefundNo: r.merc_refund_no, orderId: r.order_id, workflowId: r.workflow_id,
  requestHash: r.request_hash, livemode: r.livemode, channel: r.channel, amountFen: parseFenColumn(r.refund_amt_fen),
  reason: r.reason, notifyUrl: r.notify_url, signType: r.sign_type, refundStatus: r.refund_status,
  channelRefundNo: r.channel_refund_no, refundEndTime: r.refund_end_time, failReason: r.fail_reason,
  notifyState: r.notify_state, notifyAttempts: r.notify_attempts, notifyNextAtMs: r.notify_next_at ? r.notify_next_at.getTime() : null,
  createdAtMs: r.created_at.getTime(), startEscalated: r.start_escalated_at !== null,
});

export async function findRefundByMercRefundNo(db: Queryable, mercNo: string, mercRefundNo: string): Promise<RefundRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM refunds WHERE merc_no = $1 AND merc_refund_no = $2', [mercNo, mercRefundNo]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findRefundById(db: Queryable, refundId: string): Promise<RefundRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM refunds WHERE refund_id = $1', [refundId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** The refunds of one order, oldest first. */
export async function listRefundsOfOrder(db: Queryable, orderId: string): Promise<RefundRecord[]> {
  const { rows } = await db.query<Row>('SELECT * FROM refunds WHERE order_id = $1 ORDER BY created_at, refund_id', [orderId]);
  return rows.map(toRecord);
}

/**
 * Holds `amountFen` of the order's refundable balance: one guarded UPDATE of the order's row, applied only while the
 * order is paid (p0000) and the holds and refunds stay within the amount paid. Concurrent refunds serialise on the
 * row; whichever would exceed the balance finds no row to update. Returns the balance left, or null when refused.
 */
export async function holdRefundable(db: Queryable, orderId: string, amountFen: number): Promise<{ leftFen: number } | null> {
  const { rows } = await db.query<{ left_fen: string }>(
    `UPDATE orders SET refund_held_fen = refund_held_fen + $2, updated_at = now()
      WHERE order_id = $1 AND pay_status = 'p0000' AND refund_held_fen + refunded_fen + $2 <= trade_amt_fen
      RETURNING trade_amt_fen - refund_held_fen - refunded_fen AS left_fen`,
    [orderId, amountFen],
  );
  return rows[0] ? { leftFen: parseFenColumn(rows[0].left_fen) } : null;
}

/** The order's refund ledger: held by refunds in progress, and refunded. */
export async function refundLedgerOf(db: Queryable, orderId: string): Promise<{ heldFen: number; refundedFen: number } | null> {
  const { rows } = await db.query<{ refund_held_fen: string; refunded_fen: string }>(
    'SELECT refund_held_fen, refunded_fen FROM orders WHERE order_id = $1', [orderId]);
  return rows[0] ? { heldFen: parseFenColumn(rows[0].refund_held_fen), refundedFen: parseFenColumn(rows[0].refunded_fen) } : null;
}

export interface NewRefund {
  refundId: string; mercNo: string; mercRefundNo: string; orderId: string; workflowId: string; requestHash: string;
  livemode: boolean; channel: string; amountFen: number; reason: string | null; notifyUrl: string; signType: string;
}

/** Inserts the refund in r0001; false when the merchant's refund number is taken (a concurrent twin won). */
export async function insertRefund(db: Queryable, r: NewRefund): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO refunds (refund_id, merc_no, merc_refund_no, order_id, workflow_id, request_hash, livemode, channel,
       refund_amt_fen, reason, notify_url, sign_type)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (merc_no, merc_refund_no) DO NOTHING`,
    [r.refundId, r.mercNo, r.mercRefundNo, r.orderId, r.workflowId, r.requestHash, r.livemode, r.channel, r.amountFen,
      r.reason, r.notifyUrl, r.signType],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Moves a refund to `to`, guarded by the transition table (domain/refund-status.ts). A final status also settles the
 * order's ledger in the same statement set: the hold is released, and a success is added to what was refunded.
 * Returns the status it left, or null when the refund is not in a status that may move to `to` (a replayed write).
 */
export async function transitionRefund(
  db: Queryable,
  t: { refundId: string; to: RefundStatus; channelRefundNo?: string; refundEndTime?: string; failReason?: string },
): Promise<{ from: RefundStatus; orderId: string; amountFen: number } | null> {
  const { rows } = await db.query<{ from_status: RefundStatus; order_id: string; refund_amt_fen: string }>(
    `WITH before AS (SELECT refund_id, refund_status FROM refunds WHERE refund_id = $1 AND refund_status = ANY($2::text[]) FOR UPDATE)
     UPDATE refunds r SET refund_status = $3, channel_refund_no = COALESCE($4, r.channel_refund_no),
       refund_end_time = COALESCE($5, r.refund_end_time), fail_reason = COALESCE($6, r.fail_reason), updated_at = now()
     FROM before WHERE r.refund_id = before.refund_id
     RETURNING before.refund_status AS from_status, r.order_id, r.refund_amt_fen`,
    [t.refundId, refundSourcesOf(t.to), t.to, t.channelRefundNo ?? null, t.refundEndTime ?? null, t.failReason ?? null],
  );
  const row = rows[0];
  if (!row) return null;
  const amountFen = parseFenColumn(row.refund_amt_fen);
  if (t.to === 'r0000' || t.to === 'r0003') {
    await db.query(
      `UPDATE orders SET refund_held_fen = refund_held_fen - $2,
         refunded_fen = refunded_fen + CASE WHEN $3 THEN $2 ELSE 0 END, updated_at = now() WHERE order_id = $1`,
      [row.order_id, amountFen, t.to === 'r0000'],
    );
  }
  return { from: row.from_status, orderId: row.order_id, amountFen };
}

/** Records the refund's notification state, guarded by the status it tells of (as orders' setNotifyState). */
export async function setRefundNotifyState(
  db: Queryable,
  refundId: string,
  s: { refundStatus: RefundStatus; state: NotifyState; attempts: number; nextAtMs: number | null },
): Promise<void> {
  await db.query(
    `UPDATE refunds SET notify_state = $2, notify_attempts = $3,
       notify_next_at = CASE WHEN $4::double precision IS NULL THEN NULL ELSE to_timestamp($4::double precision / 1000) END,
       updated_at = now()
     WHERE refund_id = $1 AND refund_status = $5`,
    [refundId, s.state, s.attempts, s.nextAtMs, s.refundStatus],
  );
}

/** Opens the refund's review in the human queue (idempotent: one open review per refund). */
export async function openRefundReview(
  db: Queryable, r: { orderId: string; refundId: string; workflowId: string; reason: string; detail: Record<string, unknown> },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO order_reviews (order_id, workflow_id, kind, reason, detail, refund_id) VALUES ($1, $2, 'refund_unknown', $3, $4::jsonb, $5)
     ON CONFLICT (order_id, kind, COALESCE(refund_id, '')) WHERE resolved_at IS NULL DO NOTHING`,
    [r.orderId, r.workflowId, r.reason, JSON.stringify(r.detail), r.refundId],
  );
  return (rowCount ?? 0) > 0;
}

/** Closes the refund's open review, if any, with how it was settled. */
export async function closeRefundReview(
  db: Queryable, r: { refundId: string; decision: 'refunded' | 'not_refunded'; reason: string; actor: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE order_reviews SET decision = $2, decision_reason = $3, actor = $4, resolved_at = now()
      WHERE refund_id = $1 AND resolved_at IS NULL`,
    [r.refundId, r.decision, r.reason, r.actor],
  );
  return rowCount ?? 0;
}

/** Records that the refund's workflow was started (Temporal took the start, or had it running): recovery skips it. */
export async function markRefundStarted(db: Queryable, refundId: string): Promise<void> {
  await db.query('UPDATE refunds SET workflow_started_at = now() WHERE refund_id = $1 AND workflow_started_at IS NULL', [refundId]);
}

/**
 * Claims up to `limit` refunds still `submitted` (r0001: recorded, their workflow has not moved them) whose workflow
 * start was never recorded (markRefundStarted), recorded at least `afterMs` ago and not claimed for that long, oldest first, marks them claimed now and counts the
 * try. Concurrent workers claim disjoint refunds (SKIP LOCKED); a refund whose start fails is claimed again after
 * `afterMs`, until it is escalated (markRefundStartEscalated).
 */
export async function claimUnstartedRefunds(
  db: Queryable, submitted: RefundStatus, afterMs: number, limit: number,
): Promise<Array<{ item: RefundRecord; tries: number }>> {
  const { rows } = await db.query<Row & { start_tries: number }>(
    `WITH due AS (
       SELECT refund_id FROM refunds
       WHERE refund_status = $1 AND workflow_started_at IS NULL AND start_escalated_at IS NULL
         AND created_at <= now() - $2::int * interval '1 millisecond'
         AND (start_checked_at IS NULL OR start_checked_at <= now() - $2::int * interval '1 millisecond')
       ORDER BY created_at LIMIT $3
       FOR UPDATE SKIP LOCKED)
     UPDATE refunds r SET start_checked_at = now(), start_tries = r.start_tries + 1 FROM due WHERE r.refund_id = due.refund_id
     RETURNING r.*`,
    [submitted, afterMs, limit],
  );
  return rows.map((r) => ({ item: toRecord(r), tries: r.start_tries }));
}

/**
 * The refund's start goes to the human queue: the workers' recovery claims it no more. Guarded: only a refund still
 * `submitted` whose start is not recorded and not escalated already, so a refund started meanwhile (the merchant's
 * repeat of its request, between the recovery's claim and this) is never put in the queue. True when it was.
 */
export async function markRefundStartEscalated(db: Queryable, refundId: string, submitted: RefundStatus): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE refunds SET start_escalated_at = now()
     WHERE refund_id = $1 AND start_escalated_at IS NULL AND workflow_started_at IS NULL AND refund_status = $2`,
    [refundId, submitted],
  );
  return (rowCount ?? 0) > 0;
}
