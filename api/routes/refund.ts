import { Router } from 'express';
import type { ApiContext } from '../context';
import { authenticateMerchantRequest } from '../merchant-auth';
import { sendAnswer } from '../respond';
import { requestRefund } from '../../refunds/request-refund';
import { findMerchantRefund } from '../../refunds/find-refund';
import { refundFields } from '../../refunds/refund-answer';
import { findOrderById } from '../../db/orders';

/** Refund (interfaceCode `refund`) and refund query (`refundQuery`): parse and authenticate, then one use case each. */
export function refundRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/api/refund', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const refund = await requestRefund(ctx, auth);
    const order = await findOrderById(ctx.pool, refund.orderId);
    sendAnswer(res, { interfaceCode: 'refund', respCode: '000000', auth, data: refundFields(refund, order!) }, ctx.now());
  });
  router.post('/api/refund/query', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const { refund, order } = await findMerchantRefund(ctx, auth);
    sendAnswer(res, { interfaceCode: 'refundQuery', respCode: '000000', auth, data: refundFields(refund, order) }, ctx.now());
  });
  return router;
}
