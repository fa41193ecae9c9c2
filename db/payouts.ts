import type { Queryable } from './pool';
import type { Payee, PayeeAccountType, PayoutApprovalState } from '../domain/payout';
import { parseFenColumn } from '../domain/money';
import type { PayStatus } from '../domain/pay-status';

/** A payout's own facts beside its order row (table payouts). */
export interface PayoutRecord {
  orderId: string;
  mercNo: string;
  payee: Payee;
  limitDay: string;
  reserved: boolean;
  approval: PayoutApprovalState;
  approvalActor: string | null;
  approvalReason: string | null;
  channelTransferNo: string | null;
  failReason: string | null;
  /** Temporal took the start of its workflow (payouts/start-payout.ts); false: accepted, maybe never started. */
  workflowStarted: boolean;
  /** Its start is in the human queue (the workers' start recovery gave up on it: db/start-escalations.ts). */
  startEscalated: boolean;
}

interface Row {
  order_id: string; merc_no: string; payee_account: string; payee_name: string; payee_account_type: PayeeAccountType;
  bank_code: string | null; limit_day: string; reserved: boolean; approval: PayoutApprovalState; approval_actor: string | null;
  approval_reason: string | null; channel_transfer_no: string | null; fail_reason: string | null; workflow_started: boolean;
  start_escalated: boolean;
}

/** The payouts row with its day as text (a DATE column would come back as a local-midnight Date). */
const COLUMNS = `p.order_id, p.merc_no, p.payee_account, p.payee_name, p.payee_account_type, p.bank_code,
  to_char(p.limit_day, 'YYYY-MM-DD') AS limit_day, p.reserved, p.approval, p.approval_actor, p.approval_reason, p.channel_transfer_no,
  p.fail_reason, p.workflow_started_at IS NOT NULL AS workflow_started, p.start_escalated_at IS NOT NULL AS start_escalated`;

const toRecord = (r: Row): PayoutRecord => ({
  orderId: r.order_id, mercNo: r.merc_no,
  payee: { account: r.payee_account, name: r.payee_name, accountType: r.payee_account_type, ...(r.bank_code ? { bankCode: r.bank_code } : {}) },
  limitDay: r.limit_day, reserved: r.reserved, approval: r.approval, approvalActor: r.approval_actor, approvalReason: r.approval_reason,
  channelTransferNo: r.channel_transfer_no, failReason: r.fail_reason, workflowStarted: r.workflow_started,
  startEscalated: r.start_escalated,
});

export async function findPayout(db: Queryable, orderId: string): Promise<PayoutRecord | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM payouts p WHERE order_id = $1`, [orderId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Records that Temporal took the start of the payout's workflow (or had it already); once. */
export async function markPayoutStarted(db: Queryable, orderId: string): Promise<void> {
  await db.query('UPDATE payouts SET workflow_started_at = now() WHERE order_id = $1 AND workflow_started_at IS NULL', [orderId]);
}

/**
 * Claims up to `limit` payouts accepted at least `afterMs` ago whose workflow start was never recorded, each tried at
 * most once per `afterMs` (start_checked_at) and by one worker (SKIP LOCKED), the oldest first, until escalated
 * (markPayoutStartEscalated). Returns their order ids and how many times each has been tried, this one included.
 */
export async function claimUnstartedPayouts(
  db: Queryable, submitted: PayStatus, afterMs: number, limit: number,
): Promise<Array<{ item: string; tries: number }>> {
  const { rows } = await db.query<{ order_id: string; start_tries: number }>(
    `WITH due AS (
       SELECT p.order_id FROM payouts p JOIN orders o USING (order_id)
       WHERE p.workflow_started_at IS NULL AND p.start_escalated_at IS NULL AND o.pay_status = $1
         AND p.created_at <= now() - $2::int * interval '1 millisecond'
         AND (p.start_checked_at IS NULL OR p.start_checked_at <= now() - $2::int * interval '1 millisecond')
       ORDER BY p.created_at LIMIT $3
       FOR UPDATE OF p SKIP LOCKED)
     UPDATE payouts p SET start_checked_at = now(), start_tries = p.start_tries + 1 FROM due WHERE p.order_id = due.order_id
     RETURNING p.order_id, p.start_tries`,
    [submitted, afterMs, limit],
  );
  return rows.map((r) => ({ item: r.order_id, tries: r.start_tries }));
}

/**
 * The payout's start goes to the human queue: the workers' recovery claims it no more. Guarded: only a payout whose
 * start is not recorded and not escalated already, so a payout started meanwhile (the merchant's repeat of its
 * request, between the recovery's claim and this) is never put in the queue. True when it was.
 */
export async function markPayoutStartEscalated(db: Queryable, orderId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE payouts SET start_escalated_at = now() WHERE order_id = $1 AND start_escalated_at IS NULL AND workflow_started_at IS NULL', [orderId]);
  return (rowCount ?? 0) > 0;
}

/**
 * Adds `amountFen` to the merchant's payout total of today (Asia/Shanghai) if it stays within `limitFen`: one
 * statement, so concurrent payouts serialise on the (merchant, day) row and never exceed the limit together. Returns
 * the day it counts against, or null (over the limit) with what is left.
 */
export async function reservePayoutLimit(
  db: Queryable, mercNo: string, amountFen: number, limitFen: number,
): Promise<{ day: string } | { day: null; leftFen: number }> {
  const { rows } = await db.query<{ day: string }>(
    `INSERT INTO payout_daily_totals AS t (merc_no, day, reserved_fen)
     SELECT $1, (now() AT TIME ZONE 'Asia/Shanghai')::date, $2::bigint WHERE $2::bigint <= $3::bigint
     ON CONFLICT (merc_no, day) DO UPDATE SET reserved_fen = t.reserved_fen + EXCLUDED.reserved_fen
       WHERE t.reserved_fen + EXCLUDED.reserved_fen <= $3::bigint
     RETURNING to_char(day, 'YYYY-MM-DD') AS day`,
    [mercNo, amountFen, limitFen]);
  if (rows[0]) return { day: rows[0].day };
  const { rows: used } = await db.query<{ reserved_fen: string }>(
    `SELECT reserved_fen FROM payout_daily_totals WHERE merc_no = $1 AND day = (now() AT TIME ZONE 'Asia/Shanghai')::date`, [mercNo]);
  return { day: null, leftFen: Math.max(0, limitFen - (used[0] ? parseFenColumn(used[0].reserved_fen) : 0)) };
}

export async function insertPayout(
  db: Queryable, p: { orderId: string; mercNo: string; payee: Payee; limitDay: string; approvalRequired: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO payouts (order_id, merc_no, payee_account, payee_name, payee_account_type, bank_code, limit_day, approval)
     VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8)`,
    [p.orderId, p.mercNo, p.payee.account, p.payee.name, p.payee.accountType, p.payee.bankCode ?? null, p.limitDay,
      p.approvalRequired ? 'pending' : 'not_required']);
}

/**
 * Gives a failed or rejected payout's amount back to its day's total, once (guarded by `reserved`). Returns whether
 * it did (false: given back already).
 */
export async function releasePayoutLimit(db: Queryable, orderId: string, amountFen: number): Promise<boolean> {
  const { rows } = await db.query<{ merc_no: string; limit_day: string }>(
    `UPDATE payouts SET reserved = false, updated_at = now() WHERE order_id = $1 AND reserved RETURNING merc_no, to_char(limit_day, 'YYYY-MM-DD') AS limit_day`,
    [orderId]);
  const row = rows[0];
  if (!row) return false;
  await db.query('UPDATE payout_daily_totals SET reserved_fen = reserved_fen - $3 WHERE merc_no = $1 AND day = $2::date',
    [row.merc_no, row.limit_day, amountFen]);
  return true;
}

/** Records a person's approval decision on a payout waiting for one; whether it applied (false: decided already). */
export async function decidePayoutApproval(
  db: Queryable, d: { orderId: string; approval: 'approved' | 'rejected'; actor: string; reason: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE payouts SET approval = $2, approval_actor = $3, approval_reason = $4, updated_at = now()
     WHERE order_id = $1 AND approval = 'pending'`,
    [d.orderId, d.approval, d.actor, d.reason]);
  return (rowCount ?? 0) > 0;
}

/** What the channel said about the transfer (its number, or why it failed). */
export async function recordPayoutOutcome(db: Queryable, o: { orderId: string; channelTransferNo?: string; failReason?: string }): Promise<void> {
  await db.query(
    `UPDATE payouts SET channel_transfer_no = COALESCE($2, channel_transfer_no), fail_reason = COALESCE($3, fail_reason), updated_at = now()
     WHERE order_id = $1`,
    [o.orderId, o.channelTransferNo ?? null, o.failReason ?? null]);
}

/** A merchant's payout settings: its own daily limit (null = the platform default) and whether payouts wait for approval. */
export async function payoutSettingsOf(db: Queryable, mercNo: string): Promise<{ dailyLimitFen: number | null; approvalRequired: boolean }> {
  const { rows } = await db.query<{ payout_daily_limit_fen: string | null; payout_approval_required: boolean }>(
    'SELECT payout_daily_limit_fen, payout_approval_required FROM merchants WHERE merc_no = $1', [mercNo]);
  const r = rows[0];
  return { dailyLimitFen: r?.payout_daily_limit_fen == null ? null : parseFenColumn(r.payout_daily_limit_fen), approvalRequired: r?.payout_approval_required ?? false };
}

export async function setPayoutSettings(db: Queryable, mercNo: string, s: { dailyLimitFen?: number | null; approvalRequired?: boolean }): Promise<void> {
  if (s.dailyLimitFen !== undefined) await db.query('UPDATE merchants SET payout_daily_limit_fen = $2 WHERE merc_no = $1', [mercNo, s.dailyLimitFen]);
  if (s.approvalRequired !== undefined) await db.query('UPDATE merchants SET payout_approval_required = $2 WHERE merc_no = $1', [mercNo, s.approvalRequired]);
}

/** Payouts waiting for a support operator's approval, longest waiting first (with the total count). */
export async function listPendingApprovals(db: Queryable, q: { limit: number; mercNo?: string }): Promise<{
  total: number; payouts: (PayoutRecord & { mercOrderNo: string; tradeType: string; amountFen: number; createdAtMs: number })[];
}> {
  const { rows } = await db.query<Row & { merc_order_no: string; trade_type: string; trade_amt_fen: string; accepted_at: Date; total: string }>(
    `SELECT ${COLUMNS}, o.merc_order_no, o.trade_type, o.trade_amt_fen, p.created_at AS accepted_at,
            count(*) OVER () AS total
       FROM payouts p JOIN orders o USING (order_id)
      WHERE p.approval = 'pending' AND ($2::text IS NULL OR p.merc_no = $2)
      ORDER BY p.created_at LIMIT $1`,
    [q.limit, q.mercNo ?? null]);
  return {
    total: rows[0] ? Number(rows[0].total) : 0,
    payouts: rows.map((r) => ({
      ...toRecord(r), mercOrderNo: r.merc_order_no, tradeType: r.trade_type, amountFen: parseFenColumn(r.trade_amt_fen), createdAtMs: r.accepted_at.getTime(),
    })),
  };
}
