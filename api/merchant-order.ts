import type { ApiContext } from './context';
import type { AuthenticatedRequest } from './merchant-auth';
import { parseOrderRef } from './schemas/query';
import { findOrderById, findOrderByMercOrderNo, type OrderRecord } from '../db/orders';
import { ApiError } from '../domain/errors';

/** The merchant's own order named by `mercOrderNo` or `orderId` in the request, or 100005. */
export async function findMerchantOrder(ctx: ApiContext, auth: AuthenticatedRequest): Promise<OrderRecord> {
  const ref = parseOrderRef(auth.fields);
  const order = 'orderId' in ref
    ? await findOrderById(ctx.pool, ref.orderId)
    : await findOrderByMercOrderNo(ctx.pool, auth.merchant.mercNo, ref.mercOrderNo);
  if (!order || order.mercNo !== auth.merchant.mercNo) throw new ApiError('100005', 'no such order for this merchant');
  return order;
}
