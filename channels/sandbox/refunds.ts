import { inTransaction, type Pool, type Queryable } from '../../db/pool';
import type { ChannelRefundRef, ChannelRefundRequest, ChannelRefundStatus } from '../../domain/channels';
import { parseFenColumn } from '../../domain/money';
import type { SandboxSettings } from './settings';

interface RefundRow { refund_id: string; channel_order_no: string; amount_fen: string; refunded_at: Date; settles_at: Date }

/** A refund the sandbox made: SUCCESS once its settles_at has passed (delayed mode), PENDING before. */
const success = (r: RefundRow, nowMs = Date.now()): ChannelRefundStatus => (r.settles_at.getTime() > nowMs ? { status: 'PENDING' } : {
  status: 'SUCCESS', amountFen: parseFenColumn(r.amount_fen), refundedAtMs: r.settles_at.getTime(), channelRefundNo: r.refund_id,
});

/**
 * Refunds a paid sandbox order as `settings.refundMode` says: at once, accepted now and made after the delay, or refused. Idempotent per refund id: the same id for the same order and amount answers
 * the refund it made; reused for anything else, it is refused. All refunds of an order add up to at most its amount.
 */
export async function refundSandboxOrder(pool: Pool, req: ChannelRefundRequest, settings: Pick<SandboxSettings, 'refundMode' | 'refundDelayMs'> = { refundMode: 'instant', refundDelayMs: 0 }): Promise<ChannelRefundStatus> {
  if (settings.refundMode === 'failing') return { status: 'FAIL', reason: 'the sandbox refuses refunds (SANDBOX_REFUND_MODE=failing)' };
  const delayMs = settings.refundMode === 'delayed' ? settings.refundDelayMs : 0;
  return inTransaction(pool, async (tx) => {
    const { rows: orders } = await tx.query<{ channel_order_no: string; amount_fen: string; status: string }>(
      'SELECT channel_order_no, amount_fen, status FROM sandbox_orders WHERE order_id = $1 FOR UPDATE', [req.orderId]);
    const order = orders[0];
    if (!order) return { status: 'FAIL', reason: 'no such order at the sandbox' };
    const { rows: done } = await tx.query<RefundRow>('SELECT * FROM sandbox_refunds WHERE refund_id = $1', [req.refundId]);
    if (done[0]) {
      return done[0].channel_order_no === order.channel_order_no && parseFenColumn(done[0].amount_fen) === req.amountFen
        ? success(done[0]) : { status: 'FAIL', reason: 'refundId already used for another refund' };
    }
    if (order.status !== 'paid') return { status: 'FAIL', reason: `the sandbox order is ${order.status}, not paid` };
    const { rows: sum } = await tx.query<{ total: string }>(
      'SELECT COALESCE(sum(amount_fen), 0) AS total FROM sandbox_refunds WHERE channel_order_no = $1', [order.channel_order_no]);
    if (parseFenColumn(sum[0]!.total) + req.amountFen > parseFenColumn(order.amount_fen)) {
      return { status: 'FAIL', reason: 'refunds would exceed the amount paid' };
    }
    const { rows } = await tx.query<RefundRow>(
      `INSERT INTO sandbox_refunds (refund_id, channel_order_no, amount_fen, settles_at)
       VALUES ($1, $2, $3, now() + $4::int * interval '1 millisecond') RETURNING *`,
      [req.refundId, order.channel_order_no, req.amountFen, delayMs]);
    return success(rows[0]!);
  });
}

/** A refund's state at the sandbox: made (SUCCESS), accepted and not yet made (PENDING), or never asked for (FAIL, notFound). */
export async function findSandboxRefund(db: Queryable, ref: ChannelRefundRef): Promise<ChannelRefundStatus> {
  const { rows } = await db.query<RefundRow>(
    `SELECT r.* FROM sandbox_refunds r JOIN sandbox_orders o USING (channel_order_no) WHERE r.refund_id = $1 AND o.order_id = $2`,
    [ref.refundId, ref.orderId]);
  return rows[0] ? success(rows[0]) : { status: 'FAIL', reason: 'no such refund at the sandbox', notFound: true };
}
