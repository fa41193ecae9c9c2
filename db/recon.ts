import type { Queryable } from './pool';
import { inTransaction, type Pool } from './pool';
import { parseFenColumn } from '../domain/money';
import { PAYOUT_TRADE_TYPES } from '../domain/payout';
import { PayStatus } from '../domain/pay-status';
import { RefundStatus } from '../domain/refund-status';
import {
  compactDate, countByKind, DISCREPANCY_KINDS, shanghaiDayWindow,
  type Discrepancy, type DiscrepancyKind, type OurOrder, type OurRefund, type StatementLine,
} from '../domain/reconciliation';

/** Reconciliation's tables (migration 027): runs per channel and day, their statement lines and their findings. */
export type ReconStatus = 'running' | 'done' | 'failed' | 'unsupported';

export interface ReconRun {
  channel: string;
  date: string;
  status: ReconStatus;
  workflowId: string;
  attempts: number;
  lines: number;
  matched: number;
  channelPayFen: number;
  channelRefundFen: number;
  counts: Record<DiscrepancyKind, number>;
  /** Open discrepancies in all. */
  discrepancies: number;
  error: string | null;
  startedAtMs: number;
  finishedAtMs: number | null;
}

export interface ReconDiscrepancy {
  id: number;
  kind: DiscrepancyKind;
  key: string;
  orderId: string;
  refundId: string | null;
  channelTradeNo: string | null;
  channelFen: number | null;
  ourFen: number | null;
  detail: string;
  action: 'report' | 'review' | 'none';
  outcome: string | null;
  actedAtMs: number | null;
  foundAtMs: number;
  clearedAtMs: number | null;
  line: StatementLine | null;
}

interface RunRow {
  channel: string; statement_date: string; status: ReconStatus; workflow_id: string; attempts: number; lines: number; matched: number;
  channel_pay_fen: string; channel_refund_fen: string; counts: Record<string, number>; error: string | null; started_at: Date; finished_at: Date | null;
}

const toRun = (r: RunRow): ReconRun => {
  const counts = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, Number(r.counts[k] ?? 0)])) as Record<DiscrepancyKind, number>;
  return {
    channel: r.channel, date: r.statement_date, status: r.status, workflowId: r.workflow_id, attempts: r.attempts, lines: r.lines, matched: r.matched,
    channelPayFen: parseFenColumn(r.channel_pay_fen), channelRefundFen: parseFenColumn(r.channel_refund_fen), counts,
    discrepancies: Object.values(counts).reduce((a, b) => a + b, 0), error: r.error,
    startedAtMs: r.started_at.getTime(), finishedAtMs: r.finished_at ? r.finished_at.getTime() : null,
  };
};

const RUN_COLUMNS = `channel, to_char(statement_date, 'YYYY-MM-DD') AS statement_date, status, workflow_id, attempts, lines, matched,
  channel_pay_fen, channel_refund_fen, counts, error, started_at, finished_at`;

/** Starts (or starts again) the run of a channel's day: status running, its attempt counted. */
export async function beginRun(db: Queryable, r: { channel: string; date: string; workflowId: string; runId: string }): Promise<void> {
  await db.query(
    `INSERT INTO recon_runs (channel, statement_date, status, workflow_id, run_id) VALUES ($1, $2::date, 'running', $3, $4)
     ON CONFLICT (channel, statement_date) DO UPDATE SET status = 'running', workflow_id = EXCLUDED.workflow_id, run_id = EXCLUDED.run_id,
       attempts = recon_runs.attempts + CASE WHEN recon_runs.run_id = EXCLUDED.run_id THEN 0 ELSE 1 END,
       started_at = CASE WHEN recon_runs.run_id = EXCLUDED.run_id THEN recon_runs.started_at ELSE now() END,
       error = NULL, finished_at = NULL`,
    [r.channel, r.date, r.workflowId, r.runId],
  );
}

/** Replaces the day's stored statement with `lines` (one transaction) and records its totals. */
export async function storeLines(pool: Pool, channel: string, date: string, lines: readonly StatementLine[]): Promise<void> {
  await inTransaction(pool, async (tx) => {
    await tx.query('DELETE FROM recon_lines WHERE channel = $1 AND statement_date = $2::date', [channel, date]);
    for (let i = 0; i < lines.length; i += 500) {
      const chunk = lines.slice(i, i + 500);
      const values: unknown[] = [];
      const rows = chunk.map((l, j) => {
        values.push(channel, date, i + j, l.type, l.channelTradeNo, l.orderId, l.refundId ?? null, l.amountFen, l.status, new Date(l.atMs));
        const b = j * 10;
        return `($${b + 1}, $${b + 2}::date, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7}, $${b + 8}, $${b + 9}, $${b + 10})`;
      });
      await tx.query(
        `INSERT INTO recon_lines (channel, statement_date, seq, type, channel_trade_no, order_id, refund_id, amount_fen, status, at) VALUES ${rows.join(', ')}`,
        values,
      );
    }
    const sum = (t: 'pay' | 'refund') => lines.filter((l) => l.type === t).reduce((n, l) => n + l.amountFen, 0);
    await tx.query(
      'UPDATE recon_runs SET channel_pay_fen = $3, channel_refund_fen = $4 WHERE channel = $1 AND statement_date = $2::date',
      [channel, date, sum('pay'), sum('refund')],
    );
  });
}

export async function loadLines(db: Queryable, channel: string, date: string): Promise<StatementLine[]> {
  const { rows } = await db.query<{ type: 'pay' | 'refund'; channel_trade_no: string; order_id: string; refund_id: string | null; amount_fen: string; status: string; at: Date }>(
    'SELECT type, channel_trade_no, order_id, refund_id, amount_fen, status, at FROM recon_lines WHERE channel = $1 AND statement_date = $2::date ORDER BY seq',
    [channel, date],
  );
  return rows.map((r) => ({
    type: r.type, channelTradeNo: r.channel_trade_no, orderId: r.order_id, ...(r.refund_id ? { refundId: r.refund_id } : {}),
    amountFen: parseFenColumn(r.amount_fen), status: r.status, atMs: r.at.getTime(),
  }));
}

/**
 * Our side of a channel's day: the orders the statement names and our orders paid that day (tradeEndTime on it),
 * the refunds likewise. Only this channel's.
 */
export async function ourSideOf(db: Queryable, channel: string, date: string, lines: readonly StatementLine[]): Promise<{ orders: OurOrder[]; refunds: OurRefund[] }> {
  shanghaiDayWindow(date); // validates the date
  const from = `${compactDate(date)}000000`;
  const to = `${compactDate(date)}235959`;
  const orderIds = [...new Set(lines.filter((l) => l.type === 'pay').map((l) => l.orderId))];
  const refundIds = [...new Set(lines.filter((l) => l.type === 'refund').map((l) => l.refundId ?? ''))];
  // An order the statement names is ours whichever channel serves it now (a payment at a channel it failed over from).
  // Payouts (tradeType 02/03) are transfers, not trades: they are on no trade statement, so they are not our side here.
  const orders = await db.query<{ order_id: string; trade_amt_fen: string; pay_status: string; trade_end_time: string | null; channel: string }>(
    `SELECT order_id, trade_amt_fen, pay_status, trade_end_time, channel FROM orders
      WHERE order_id = ANY($2::text[]) OR (channel = $1 AND pay_status = $5 AND trade_end_time BETWEEN $3 AND $4 AND trade_type <> ALL($6::text[]))`,
    [channel, orderIds, from, to, PayStatus.PAID, [...PAYOUT_TRADE_TYPES]],
  );
  const refunds = await db.query<{ refund_id: string; order_id: string; refund_amt_fen: string; refund_status: string; refund_end_time: string | null }>(
    `SELECT refund_id, order_id, refund_amt_fen, refund_status, refund_end_time FROM refunds
      WHERE channel = $1 AND (refund_id = ANY($2::text[]) OR (refund_status = $5 AND refund_end_time BETWEEN $3 AND $4))`,
    [channel, refundIds, from, to, RefundStatus.SUCCESS],
  );
  const onDay = (t: string | null) => t !== null && t >= from && t <= to;
  return {
    orders: orders.rows.map((o) => ({
      orderId: o.order_id, amountFen: parseFenColumn(o.trade_amt_fen), paid: o.pay_status === PayStatus.PAID,
      paidThatDay: o.channel === channel && o.pay_status === PayStatus.PAID && onDay(o.trade_end_time), elsewhere: o.channel !== channel,
    })),
    refunds: refunds.rows.map((r) => ({
      refundId: r.refund_id, orderId: r.order_id, amountFen: parseFenColumn(r.refund_amt_fen), refunded: r.refund_status === RefundStatus.SUCCESS,
      refundedThatDay: r.refund_status === RefundStatus.SUCCESS && onDay(r.refund_end_time),
    })),
  };
}

/**
 * Records a comparison: each finding inserted once by its key (a rerun updates its figures, keeps its id and what
 * was done about it, and reopens one that had cleared), findings no longer found cleared, and the run's figures.
 */
export async function storeComparison(
  pool: Pool, channel: string, date: string, c: { lines: number; matched: number; discrepancies: readonly Discrepancy[] }, action: (k: DiscrepancyKind) => 'report' | 'review' | 'none',
): Promise<void> {
  await inTransaction(pool, async (tx) => {
    for (const d of c.discrepancies) {
      await tx.query(
        `INSERT INTO recon_discrepancies (channel, statement_date, key, kind, order_id, refund_id, channel_trade_no, channel_fen, our_fen, detail, line, action)
         VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12)
         ON CONFLICT (channel, statement_date, key) DO UPDATE SET channel_fen = EXCLUDED.channel_fen, our_fen = EXCLUDED.our_fen,
           channel_trade_no = EXCLUDED.channel_trade_no, detail = EXCLUDED.detail, line = EXCLUDED.line, cleared_at = NULL`,
        [channel, date, d.key, d.kind, d.orderId, d.refundId ?? null, d.channelTradeNo ?? null, d.channelFen ?? null, d.ourFen ?? null,
          d.detail, d.line ? JSON.stringify(d.line) : null, action(d.kind)],
      );
    }
    await tx.query(
      `UPDATE recon_discrepancies SET cleared_at = now()
        WHERE channel = $1 AND statement_date = $2::date AND cleared_at IS NULL AND NOT (key = ANY($3::text[]))`,
      [channel, date, c.discrepancies.map((d) => d.key)],
    );
    await tx.query(
      'UPDATE recon_runs SET lines = $3, matched = $4, counts = $5::jsonb WHERE channel = $1 AND statement_date = $2::date',
      [channel, date, c.lines, c.matched, JSON.stringify(countByKind(c.discrepancies))],
    );
  });
}

/** Open findings that call for an action not yet taken (oldest first, at most `limit`). */
export async function pendingActions(db: Queryable, channel: string, date: string, limit: number): Promise<ReconDiscrepancy[]> {
  const { rows } = await db.query<DiscRow>(
    `${DISC_SELECT} WHERE channel = $1 AND statement_date = $2::date AND cleared_at IS NULL AND action <> 'none' AND acted_at IS NULL
      ORDER BY id LIMIT $3`, [channel, date, limit]);
  return rows.map(toDiscrepancy);
}

export async function markActed(db: Queryable, id: number, outcome: string): Promise<void> {
  await db.query('UPDATE recon_discrepancies SET acted_at = now(), outcome = $2 WHERE id = $1 AND acted_at IS NULL', [id, outcome]);
}

export async function finishRun(db: Queryable, r: { channel: string; date: string; status: Exclude<ReconStatus, 'running'>; error?: string }): Promise<void> {
  await db.query(
    'UPDATE recon_runs SET status = $3, error = $4, finished_at = now() WHERE channel = $1 AND statement_date = $2::date',
    [r.channel, r.date, r.status, r.error?.slice(0, 300) ?? null],
  );
}

export async function findRun(db: Queryable, channel: string, date: string): Promise<ReconRun | null> {
  const { rows } = await db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM recon_runs WHERE channel = $1 AND statement_date = $2::date`, [channel, date]);
  return rows[0] ? toRun(rows[0]) : null;
}

/** Runs, newest day first (then by channel), optionally of one channel and from/to a day. */
export async function listRuns(db: Queryable, q: { channel?: string; from?: string; to?: string; limit: number }): Promise<ReconRun[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.channel) { params.push(q.channel); where.push(`channel = $${params.length}`); }
  if (q.from) { params.push(q.from); where.push(`statement_date >= $${params.length}::date`); }
  if (q.to) { params.push(q.to); where.push(`statement_date <= $${params.length}::date`); }
  params.push(q.limit);
  const { rows } = await db.query<RunRow>(
    `SELECT ${RUN_COLUMNS} FROM recon_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY statement_date DESC, channel LIMIT $${params.length}`,
    params,
  );
  return rows.map(toRun);
}

/** A run's findings: open ones first, then cleared, each by id. */
export async function listDiscrepancies(db: Queryable, channel: string, date: string): Promise<ReconDiscrepancy[]> {
  const { rows } = await db.query<DiscRow>(
    `${DISC_SELECT} WHERE channel = $1 AND statement_date = $2::date ORDER BY cleared_at IS NOT NULL, id`, [channel, date]);
  return rows.map(toDiscrepancy);
}

interface DiscRow {
  id: string; kind: DiscrepancyKind; key: string; order_id: string; refund_id: string | null; channel_trade_no: string | null;
  channel_fen: string | null; our_fen: string | null; detail: string; action: 'report' | 'review' | 'none'; outcome: string | null;
  acted_at: Date | null; found_at: Date; cleared_at: Date | null; line: StatementLine | null;
}
const DISC_SELECT = `SELECT id, kind, key, order_id, refund_id, channel_trade_no, channel_fen, our_fen, detail, action, outcome, acted_at, found_at,
  cleared_at, line FROM recon_discrepancies`;
const toDiscrepancy = (r: DiscRow): ReconDiscrepancy => ({
  id: Number(r.id), kind: r.kind, key: r.key, orderId: r.order_id, refundId: r.refund_id, channelTradeNo: r.channel_trade_no,
  channelFen: r.channel_fen === null ? null : parseFenColumn(r.channel_fen), ourFen: r.our_fen === null ? null : parseFenColumn(r.our_fen),
  detail: r.detail, action: r.action, outcome: r.outcome, actedAtMs: r.acted_at ? r.acted_at.getTime() : null,
  foundAtMs: r.found_at.getTime(), clearedAtMs: r.cleared_at ? r.cleared_at.getTime() : null, line: r.line,
});

/**
 * Opens a finding's review in the human queue (kind 'reconciliation'; a refund's finding carries its refund_id).
 * Idempotent: one open review per order (and refund). True when this call opened it.
 */
export async function openReconReview(
  db: Queryable, r: { orderId: string; workflowId: string; refundId: string | null; reason: string; detail: Record<string, unknown> },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO order_reviews (order_id, workflow_id, kind, reason, detail, refund_id) VALUES ($1, $2, 'reconciliation', $3, $4::jsonb, $5)
     ON CONFLICT (order_id, kind, COALESCE(refund_id, '')) WHERE resolved_at IS NULL DO NOTHING`,
    [r.orderId, r.workflowId, r.reason, JSON.stringify(r.detail), r.refundId],
  );
  return (rowCount ?? 0) > 0;
}

/** Closes an open reconciliation review (a person settled the finding with the channel); how many it closed. */
export async function closeReconReview(
  db: Queryable, r: { orderId: string; refundId: string | null; decision: string; reason: string; actor: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE order_reviews SET decision = $3, decision_reason = $4, actor = $5, resolved_at = now()
      WHERE order_id = $1 AND kind = 'reconciliation' AND COALESCE(refund_id, '') = COALESCE($2, '') AND resolved_at IS NULL`,
    [r.orderId, r.refundId, r.decision, r.reason, r.actor],
  );
  return rowCount ?? 0;
}
