import { randomBytes } from 'node:crypto';
import { inTransaction, type Pool, type Queryable } from '../../db/pool';
import { parseFenColumn } from '../../domain/money';
import { queueReport } from './report-outbox';

/** The sandbox channel's own ledger (table sandbox_orders): what it was asked to collect and what the payer did. */
export interface SandboxOrder {
  channelOrderNo: string;
  orderId: string;
  amountFen: number;
  subject: string;
  status: 'open' | 'paid' | 'closed';
  paidAtMs: number | null;
}

interface Row {
  channel_order_no: string;
  order_id: string;
  amount_fen: string;
  subject: string;
  status: SandboxOrder['status'];
  paid_at: Date | null;
}

const toOrder = (r: Row): SandboxOrder => ({
  channelOrderNo: r.channel_order_no,
  orderId: r.order_id,
  amountFen: parseFenColumn(r.amount_fen),
  subject: r.subject,
  status: r.status,
  paidAtMs: r.paid_at ? r.paid_at.getTime() : null,
});

/** A new sandbox order number: random (128 bits), so knowing an orderId does not give its cashier page. */
export const newSandboxChannelOrderNo = () => `SBX${randomBytes(16).toString('hex').toUpperCase()}`;

/** Idempotent: the same orderId always yields the same sandbox order (the first number it was given). */
export async function openSandboxOrder(db: Queryable, orderId: string, amountFen: number, subject: string): Promise<SandboxOrder> {
  await db.query(
    `INSERT INTO sandbox_orders (channel_order_no, order_id, amount_fen, subject, status)
     VALUES ($1, $2, $3, $4, 'open') ON CONFLICT (order_id) DO NOTHING`,
    [newSandboxChannelOrderNo(), orderId, amountFen, subject],
  );
  const found = await findSandboxOrderByOrderId(db, orderId);
  if (!found) throw new Error(`sandbox order of ${orderId} vanished`);
  return found;
}

export async function findSandboxOrder(db: Queryable, channelOrderNo: string): Promise<SandboxOrder | null> {
  const { rows } = await db.query<Row>('SELECT * FROM sandbox_orders WHERE channel_order_no = $1', [channelOrderNo]);
  return rows[0] ? toOrder(rows[0]) : null;
}

export async function findSandboxOrderByOrderId(db: Queryable, orderId: string): Promise<SandboxOrder | null> {
  const { rows } = await db.query<Row>('SELECT * FROM sandbox_orders WHERE order_id = $1', [orderId]);
  return rows[0] ? toOrder(rows[0]) : null;
}

/**
 * The payer pays. Only an open order can be paid; `afterClose` simulates a channel that takes the money although the
 * order was closed (a late payment), which the platform must still report to the merchant.
 * In the same transaction the payment's report is queued in the outbox (report-outbox.ts), claimed by `claim` for
 * the caller's immediate attempt: the books never say paid without a report on its way.
 * Returns the order when this call paid it, null when it was not payable (already paid, or closed).
 */
export async function paySandboxOrder(
  pool: Pool,
  channelOrderNo: string,
  afterClose: boolean,
  claim: { token: string; leaseMs: number },
): Promise<SandboxOrder | null> {
  const allowed = afterClose ? ['open', 'closed'] : ['open'];
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<Row>(
      `UPDATE sandbox_orders SET status = 'paid', paid_at = now()
       WHERE channel_order_no = $1 AND status = ANY($2::text[]) RETURNING *`,
      [channelOrderNo, allowed],
    );
    const paid = rows[0] ? toOrder(rows[0]) : null;
    if (paid) await queueReport(tx, paid, claim);
    return paid;
  });
}

/** Closes an open order; returns the order's state afterwards. */
export async function closeSandboxOrder(db: Queryable, channelOrderNo: string): Promise<SandboxOrder | null> {
  await db.query(`UPDATE sandbox_orders SET status = 'closed' WHERE channel_order_no = $1 AND status = 'open'`, [channelOrderNo]);
  return findSandboxOrder(db, channelOrderNo);
}
