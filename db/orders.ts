import type { Queryable } from './pool';
import type { NotifyState, PayStatus } from '../domain/pay-status';
import type { OrderDraft, PayAnswer } from '../domain/order';
import { parseFenColumn } from '../domain/money';
import { FINAL_UNPAID_STATUSES, OPEN_STATUSES } from '../domain/pay-status';

/** The order read model as the API and activities read it. */
export interface OrderRecord {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  workflowId: string;
  requestHash: string;
  tradeType: string;
  amountFen: number;
  feeType: string;
  tradeTime: string;
  orderPeriodMin: number;
  expireAtMs: number;
  termType: string;
  paywayCode: string;
  sceneCode: string;
  channel: string;
  channelOrderNo: string | null;
  payStatus: PayStatus;
  signType: string;
  /** Live order (real channels) or test order (the sandbox). */
  livemode: boolean;
  notifyUrl: string;
  /** Where the payer returns after paying (the unified order's returnUrl); null for orders from before migration 022. */
  returnUrl: string | null;
  /** The merchant's attach field (null for orders from before migration 013, or without one). */
  attach: string | null;
  payAnswer: PayAnswer | null;
  tradeEndTime: string | null;
  bankType: string | null;
  latePayment: boolean;
  /** Refunded so far (successful refunds), fen; 0 for orders from before refunds (migration 017). */
  refundedFen: number;
  notifyState: NotifyState;
  notifyAttempts: number;
  notifyNextAtMs: number | null;
  createdAtMs: number;
  updatedAtMs: number;
}

interface Row {
  order_id: string; merc_no: string; merc_order_no: string; workflow_id: string; request_hash: string;
  trade_type: string; trade_amt_fen: string; fee_type: string; trade_time: string; order_period_min: number;
  expire_at: Date; term_type: string; payway_code: string; scene_code: string; channel: string;
  channel_order_no: string | null; pay_status: PayStatus; sign_type: string; livemode: boolean; notify_url: string; return_url: string | null; attach: string | null;
  pay_response: PayAnswer | null; trade_end_time: string | null; bank_type: string | null; late_payment: boolean; refunded_fen?: string;
  notify_state: NotifyState; notify_attempts: number; notify_next_at: Date | null; created_at: Date; updated_at: Date;
}

const toRecord = (r: Row): OrderRecord => ({
  orderId: r.order_id,
  mercNo: r.merc_no,
  mercOrderNo: r.merc_order_no,
  workflowId: r.workflow_id,
  requestHash: r.request_hash,
  tradeType: r.trade_type,
  amountFen: parseFenColumn(r.trade_amt_fen),
  feeType: r.fee_type,
  tradeTime: r.trade_time,
  orderPeriodMin: r.order_period_min,
  expireAtMs: r.expire_at.getTime(),
  termType: r.term_type,
  paywayCode: r.payway_code,
  sceneCode: r.scene_code,
  channel: r.channel,
  channelOrderNo: r.channel_order_no,
  payStatus: r.pay_status,
  signType: r.sign_type,
  livemode: r.livemode,
  notifyUrl: r.notify_url,
  returnUrl: r.return_url ?? null,
  attach: r.attach,
  payAnswer: r.pay_response,
  tradeEndTime: r.trade_end_time,
  bankType: r.bank_type,
  latePayment: r.late_payment,
  refundedFen: r.refunded_fen === undefined ? 0 : parseFenColumn(r.refunded_fen),
  notifyState: r.notify_state,
  notifyAttempts: r.notify_attempts,
  notifyNextAtMs: r.notify_next_at ? r.notify_next_at.getTime() : null,
  createdAtMs: r.created_at.getTime(),
  updatedAtMs: r.updated_at.getTime(),
});

export async function findOrderByMercOrderNo(db: Queryable, mercNo: string, mercOrderNo: string): Promise<OrderRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM orders WHERE merc_no = $1 AND merc_order_no = $2', [mercNo, mercOrderNo]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findOrderById(db: Queryable, orderId: string): Promise<OrderRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM orders WHERE order_id = $1', [orderId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findOrderByChannelOrderNo(db: Queryable, channel: string, channelOrderNo: string): Promise<OrderRecord | null> {
  const { rows } = await db.query<Row>('SELECT * FROM orders WHERE channel = $1 AND channel_order_no = $2', [channel, channelOrderNo]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Inserts the order in p0001. Idempotent for a replayed activity: a row already there for the same merchant order is
 * returned as it is, and the caller compares its orderId with its own (a different one means two identities for one
 * merchant order: never papered over).
 */
export async function insertOrder(
  db: Queryable,
  o: {
    orderId: string; workflowId: string; requestHash: string; channel: string; draft: OrderDraft; firstPollDelayMs: number;
    watchUntilMs: number | null;
  },
): Promise<{ orderId: string; inserted: boolean }> {
  const d = o.draft;
  const { rows } = await db.query<{ order_id: string; inserted: boolean }>(
    `INSERT INTO orders (order_id, merc_no, merc_order_no, workflow_id, request_hash, trade_type, trade_amt_fen, fee_type,
       trade_time, order_period_min, expire_at, term_type, payway_code, scene_code, channel, pay_status, sign_type, notify_url,
       next_poll_at, watch_until, livemode, attach, return_url)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,to_timestamp($11::double precision / 1000),$12,$13,$14,$15,'p0001',$16,$17,
       now() + $18::int * interval '1 millisecond',
       CASE WHEN $19::double precision IS NULL THEN NULL ELSE to_timestamp($19::double precision / 1000) END, $20, $21, $22)
     ON CONFLICT (merc_no, merc_order_no) DO UPDATE SET merc_no = orders.merc_no
     RETURNING order_id, (xmax = 0) AS inserted`,
    [o.orderId, d.mercNo, d.mercOrderNo, o.workflowId, o.requestHash, d.tradeType, d.amountFen, d.feeType, d.tradeTime,
      d.orderPeriodMin, d.expireAtMs, d.termType, d.paywayCode, d.sceneCode, o.channel, d.signType, d.notifyUrl,
      o.firstPollDelayMs, o.watchUntilMs, d.livemode ?? true, d.attach ?? null, d.returnUrl ?? null],
  );
  const row = rows[0]!;
  return { orderId: row.order_id, inserted: row.inserted };
}

export interface Transition {
  orderId: string;
  from: readonly PayStatus[];
  to: PayStatus;
  channelOrderNo?: string;
  payAnswer?: PayAnswer;
  tradeEndTime?: string;
  bankType?: string;
  latePayment?: boolean;
}

/**
 * Guarded state change: applies only when the order is in one of `from`. Returns the status it left and the order's
 * channel when it applied, null when it did not.
 */
export async function transitionOrder(db: Queryable, t: Transition): Promise<{ from: PayStatus; channel: string } | null> {
  const { rows } = await db.query<{ from_status: PayStatus; channel: string }>(
    `WITH before AS (
       SELECT order_id, pay_status FROM orders WHERE order_id = $1 AND pay_status = ANY($2::text[]) FOR UPDATE)
     UPDATE orders o SET pay_status = $3,
       channel_order_no = COALESCE($4, o.channel_order_no),
       pay_response = COALESCE($5::jsonb, o.pay_response),
       trade_end_time = COALESCE($6, o.trade_end_time),
       bank_type = COALESCE($7, o.bank_type),
       late_payment = o.late_payment OR $8,
       next_poll_at = CASE
         WHEN $3 = ANY($9::text[]) THEN o.next_poll_at
         WHEN $3 = ANY($10::text[]) AND o.watch_until > now() THEN COALESCE(o.next_poll_at, now())
         ELSE NULL END,
       updated_at = now()
     FROM before WHERE o.order_id = before.order_id
     RETURNING before.pay_status AS from_status, o.channel`,
    [t.orderId, t.from, t.to, t.channelOrderNo ?? null, t.payAnswer ? JSON.stringify(t.payAnswer) : null,
      t.tradeEndTime ?? null, t.bankType ?? null, t.latePayment ?? false, OPEN_STATUSES, FINAL_UNPAID_STATUSES],
  );
  const row = rows[0];
  return row ? { from: row.from_status, channel: row.channel } : null;
}

/**
 * The order's status as the read model holds it, and whether the audit event `eventKey` is recorded: after a guarded
 * transition was refused, this tells an earlier attempt of the same write (status reached, event there) from a
 * decision that an earlier, lost attempt of the workflow task made differently.
 */
export async function statusAfterRefusal(db: Queryable, orderId: string, eventKey: string): Promise<{
  payStatus: PayStatus; tradeEndTime: string | null; latePayment: boolean; eventRecorded: boolean;
} | null> {
  const { rows } = await db.query<{ pay_status: PayStatus; trade_end_time: string | null; late_payment: boolean; recorded: boolean }>(
    `SELECT pay_status, trade_end_time, late_payment,
            EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.order_id AND e.event_key = $2) AS recorded
       FROM orders o WHERE order_id = $1`,
    [orderId, eventKey],
  );
  const r = rows[0];
  return r ? { payStatus: r.pay_status, tradeEndTime: r.trade_end_time, latePayment: r.late_payment, eventRecorded: r.recorded } : null;
}

/**
 * Moves an order still being created (p0001) from channel `from` to `to` (failover), with the post-close watch of
 * `to` computed from the order's creation and expiry. Returns whether it moved (false: already moved, or not p0001).
 */
export async function switchOrderChannel(
  db: Queryable,
  s: { orderId: string; from: string; to: string; watchUntilMs: (order: { createdAtMs: number; expireAtMs: number }) => number | null },
): Promise<boolean> {
  const { rows } = await db.query<{ created_at: Date; expire_at: Date }>(
    `SELECT created_at, expire_at FROM orders WHERE order_id = $1 AND channel = $2 AND pay_status = 'p0001' FOR UPDATE`,
    [s.orderId, s.from],
  );
  const row = rows[0];
  if (!row) return false;
  const watchUntilMs = s.watchUntilMs({ createdAtMs: row.created_at.getTime(), expireAtMs: row.expire_at.getTime() });
  await db.query(
    `UPDATE orders SET channel = $2, watch_until = CASE WHEN $3::double precision IS NULL THEN NULL ELSE to_timestamp($3::double precision / 1000) END,
       updated_at = now() WHERE order_id = $1`,
    [s.orderId, s.to, watchUntilMs],
  );
  return true;
}

/** Stores the unified-order answer without changing the status (e.g. a channel error answered while still p0001). */
export async function savePayAnswer(db: Queryable, orderId: string, answer: PayAnswer): Promise<void> {
  await db.query('UPDATE orders SET pay_response = $2::jsonb, updated_at = now() WHERE order_id = $1 AND pay_response IS NULL',
    [orderId, JSON.stringify(answer)]);
}

/**
 * Records the notification state of the order's notification of `payStatus`. Guarded by that pay status: the state of
 * an older notification never overwrites the one of the order's current status. Returns whether it applied.
 */
export async function setNotifyState(
  db: Queryable,
  orderId: string,
  s: { payStatus: PayStatus; state: NotifyState; attempts: number; nextAtMs: number | null },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE orders SET notify_state = $2, notify_attempts = $3,
       notify_next_at = CASE WHEN $4::double precision IS NULL THEN NULL ELSE to_timestamp($4::double precision / 1000) END,
       updated_at = now()
     WHERE order_id = $1 AND pay_status = $5`,
    [orderId, s.state, s.attempts, s.nextAtMs, s.payStatus],
  );
  return (rowCount ?? 0) > 0;
}

/**
 * Appends an audit event (once per order and eventKey). `actor`: the support operator whose action this records;
 * absent for the system's own events.
 */
export async function recordEvent(
  db: Queryable,
  e: { orderId: string; eventKey: string; type: string; fromStatus?: string; toStatus?: string; detail?: Record<string, unknown>; actor?: string | null },
): Promise<void> {
  await db.query(
    `INSERT INTO order_events (order_id, event_key, type, from_status, to_status, detail, actor)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT (order_id, event_key) DO NOTHING`,
    [e.orderId, e.eventKey, e.type, e.fromStatus ?? null, e.toStatus ?? null, JSON.stringify(e.detail ?? {}), e.actor ?? null],
  );
}

export interface OrderEvent {
  type: string;
  fromStatus: string | null;
  toStatus: string | null;
  detail: Record<string, unknown>;
  /** The support operator who caused it (or `merchant:<mercNo>` for a merchant's request: start_resumed_by_repeat); null for the system's own events. */
  actor: string | null;
  createdAtMs: number;
}

export async function listEvents(db: Queryable, orderId: string): Promise<OrderEvent[]> {
  const { rows } = await db.query<{ type: string; from_status: string | null; to_status: string | null; detail: Record<string, unknown>; actor: string | null; created_at: Date }>(
    'SELECT type, from_status, to_status, detail, actor, created_at FROM order_events WHERE order_id = $1 ORDER BY id', [orderId]);
  return rows.map((r) => ({
    type: r.type, fromStatus: r.from_status, toStatus: r.to_status, detail: r.detail, actor: r.actor, createdAtMs: r.created_at.getTime(),
  }));
}
