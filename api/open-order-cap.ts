import type { ApiContext } from './context';
import { findOrderByMercOrderNo } from '../db/orders';
import { countOpenOrders } from '../db/open-orders';
import { ApiError } from '../domain/errors';
import type { Merchant } from '../db/merchants';

/**
 * MAX_OPEN_ORDERS_PER_MERCHANT, or the merchant's own cap (merchants.max_open_orders, set by the admin API; 0 = none): a NEW unified order is refused (100009, HTTP 429) while the merchant has that many
 * orders not yet final. Repeats are never refused: the unified order answers an order already in the read model
 * before it asks, and an order that became one while this was counting (the first request of the same mercOrderNo,
 * still being created) is let through to meet its workflow.
 */
export async function assertRoomForNewOrder(
  ctx: ApiContext, merchant: Pick<Merchant, 'mercNo' | 'maxOpenOrders'>, mercOrderNo: string,
): Promise<void> {
  const mercNo = merchant.mercNo;
  const cap = merchant.maxOpenOrders ?? ctx.config.limits.maxOpenOrdersPerMerchant;
  if (cap === 0) return;
  const open = await countOpenOrders(ctx.pool, mercNo);
  if (open < cap) return;
  if (await findOrderByMercOrderNo(ctx.pool, mercNo, mercOrderNo)) return;
  ctx.metrics.rateLimited('open_orders');
  throw ApiError.tooManyRequests(
    `open order limit: ${open} orders of this merchant are not final yet (p0001/p0002), at most ${cap}; `
    + 'place new orders once some are paid, closed or expired (repeats of existing orders are answered as always)',
  );
}
