import type { Queryable } from './pool';

/**
 * How many of the merchant's orders are not final yet (p0001, p0002): one row of merchant_open_orders, kept by
 * triggers on orders (migration 009).
 */
export async function countOpenOrders(db: Queryable, mercNo: string): Promise<number> {
  const { rows } = await db.query<{ open_orders: number }>('SELECT open_orders FROM merchant_open_orders WHERE merc_no = $1', [mercNo]);
  return rows[0]?.open_orders ?? 0;
}
