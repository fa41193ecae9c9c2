import type { ApiContext } from '../api/context';
import type { AuthenticatedRequest } from '../api/merchant-auth';
import { parseRefundRef } from '../api/schemas/refund';
import { findOrderById, type OrderRecord } from '../db/orders';
import { findRefundById, findRefundByMercRefundNo, type RefundRecord } from '../db/refunds';
import { ApiError } from '../domain/errors';

/** The merchant's own refund of the request's mode, by mercRefundNo or refundId (POST /api/refund/query), or 100005. */
export async function findMerchantRefund(ctx: ApiContext, auth: AuthenticatedRequest): Promise<{ refund: RefundRecord; order: OrderRecord }> {
  const ref = parseRefundRef(auth.fields);
  const refund = 'refundId' in ref
    ? await findRefundById(ctx.pool, ref.refundId)
    : await findRefundByMercRefundNo(ctx.pool, auth.merchant.mercNo, ref.mercRefundNo);
  if (!refund || refund.mercNo !== auth.merchant.mercNo || refund.livemode !== (auth.mode === 'live')) {
    throw new ApiError('100005', `no such ${auth.mode} refund for this merchant`);
  }
  const order = await findOrderById(ctx.pool, refund.orderId);
  if (!order) throw new ApiError('100005', 'the refund\'s order is not in the read model');
  return { refund, order };
}
