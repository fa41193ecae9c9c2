import type { ApiContext } from './context';
import type { AuthenticatedRequest } from './merchant-auth';
import { parseOrderRef, type OrderRef } from './schemas/query';
import { findOrderById, findOrderByMercOrderNo, type OrderRecord } from '../db/orders';
import { ApiError } from '../domain/errors';

/** The merchant's own order of the request's mode, named by `mercOrderNo` or `orderId` in the request, or 100005. */
export async function findMerchantOrder(ctx: ApiContext, auth: AuthenticatedRequest, ref: OrderRef = parseOrderRef(auth.fields)): Promise<OrderRecord> {
  const order = 'orderId' in ref
    ? await findOrderById(ctx.pool, ref.orderId)
    : await findOrderByMercOrderNo(ctx.pool, auth.merchant.mercNo, ref.mercOrderNo);
  // A test key sees test orders only, a live key live orders only.
  if (!order || order.mercNo !== auth.merchant.mercNo || order.livemode !== (auth.mode === 'live')) {
    throw new ApiError('100005', `no such ${auth.mode} order for this merchant`);
  }
  return order;
}
