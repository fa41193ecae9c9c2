import type { Queryable } from './pool';
import type { ReviewDecision, ReviewKind } from '../domain/order-transitions';

export type { ReviewDecision, ReviewKind };

/** One entry of the human queue (table order_reviews). */
export interface OrderReview {
  id: number;
  orderId: string;
  workflowId: string;
  kind: ReviewKind;
  reason: string;
  detail: Record<string, unknown>;
  openedAtMs: number;
  decision: ReviewDecision | null;
  decisionReason: string | null;
  actor: string | null;
  resolvedAtMs: number | null;
  /** The refund this review is about (kind refund_unknown); null for the order's own reviews. */
  refundId: string | null;
}

interface Row {
  id: string; order_id: string; workflow_id: string; kind: ReviewKind; reason: string; detail: Record<string, unknown>;
  opened_at: Date; decision: ReviewDecision | null; decision_reason: string | null; actor: string | null; resolved_at: Date | null;
  refund_id?: string | null;
}

const toReview = (r: Row): OrderReview => ({
  id: Number(r.id), orderId: r.order_id, workflowId: r.workflow_id, kind: r.kind, reason: r.reason, detail: r.detail,
  openedAtMs: r.opened_at.getTime(), decision: r.decision, decisionReason: r.decision_reason, actor: r.actor,
  resolvedAtMs: r.resolved_at ? r.resolved_at.getTime() : null,
  refundId: r.refund_id ?? null,
});

/** Opens a review (idempotent: one open review per order and kind). Returns true when this call opened it. */
export async function openReview(
  db: Queryable,
  r: { orderId: string; workflowId: string; kind: ReviewKind; reason: string; detail?: Record<string, unknown> },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO order_reviews (order_id, workflow_id, kind, reason, detail) VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (order_id, kind, COALESCE(refund_id, '')) WHERE resolved_at IS NULL DO NOTHING`,
    [r.orderId, r.workflowId, r.kind, r.reason, JSON.stringify(r.detail ?? {})],
  );
  return (rowCount ?? 0) > 0;
}

/** Closes the order's open reviews with a decision. Returns the reviews it closed. */
export async function closeReviews(
  db: Queryable,
  r: { orderId: string; decision: ReviewDecision; reason: string; actor: string },
): Promise<OrderReview[]> {
  const { rows } = await db.query<Row>(
    `UPDATE order_reviews SET decision = $2, decision_reason = $3, actor = $4, resolved_at = now()
     WHERE order_id = $1 AND resolved_at IS NULL AND refund_id IS NULL RETURNING *`,
    [r.orderId, r.decision, r.reason, r.actor],
  );
  return rows.map(toReview);
}

/** Open reviews, oldest first (the human queue). */
export async function listOpenReviews(db: Queryable, opts: { limit: number; mercNo?: string }): Promise<{ total: number; reviews: (OrderReview & { mercNo: string; mercOrderNo: string; payStatus: string; amountFen: string })[] }> {
  const where = opts.mercNo ? 'AND o.merc_no = $2' : '';
  const params: unknown[] = [opts.limit, ...(opts.mercNo ? [opts.mercNo] : [])];
  const { rows } = await db.query<Row & { merc_no: string; merc_order_no: string; pay_status: string; trade_amt_fen: string; total: string }>(
    `SELECT r.*, o.merc_no, o.merc_order_no, o.pay_status, o.trade_amt_fen, count(*) OVER () AS total
     FROM order_reviews r JOIN orders o ON o.order_id = r.order_id
     WHERE r.resolved_at IS NULL ${where} ORDER BY r.opened_at, r.id LIMIT $1`,
    params,
  );
  return {
    total: rows[0] ? Number(rows[0].total) : 0,
    reviews: rows.map((r) => ({ ...toReview(r), mercNo: r.merc_no, mercOrderNo: r.merc_order_no, payStatus: r.pay_status, amountFen: r.trade_amt_fen })),
  };
}

/** Every review of one order (open and resolved), oldest first. */
export async function listReviewsOf(db: Queryable, orderId: string): Promise<OrderReview[]> {
  const { rows } = await db.query<Row>('SELECT * FROM order_reviews WHERE order_id = $1 ORDER BY id', [orderId]);
  return rows.map(toReview);
}
