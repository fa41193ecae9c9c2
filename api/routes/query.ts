import { Router } from 'express';
import type { ApiContext } from '../context';
import { authenticateMerchantRequest } from '../merchant-auth';
import { sendAnswer } from '../respond';
import { findMerchantOrder } from '../merchant-order';
import type { OrderRecord } from '../../db/orders';
import { listRefundsOfOrder } from '../../db/refunds';
import { refundsSummary } from '../../refunds/refund-answer';
import { formatFenAsYuan } from '../../domain/money';
import { formatCompactTime } from '../../domain/time';

/** Payment query (interfaceCode `query`) by mercOrderNo or orderId, from the read model, with notification state. */
export function queryRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post('/api/query', async (req, res) => {
    const auth = await authenticateMerchantRequest(ctx, req, res);
    const order = await findMerchantOrder(ctx, auth);
    const refunds = await listRefundsOfOrder(ctx.pool, order.orderId);
    sendAnswer(res, {
      interfaceCode: 'query', respCode: '000000', auth,
      data: { ...queryFields(order), refundedAmt: formatFenAsYuan(order.refundedFen), ...(refunds.length > 0 ? { refunds: refundsSummary(refunds) } : {}) },
    }, ctx.now());
  });
  return router;
}

export function queryFields(o: OrderRecord): Record<string, string | undefined> {
  return {
    mercOrderNo: o.mercOrderNo,
    orderId: o.orderId,
    tradeType: o.tradeType,
    tradeAmt: formatFenAsYuan(o.amountFen),
    tradeTime: o.tradeTime,
    feeType: o.feeType,
    termType: o.termType,
    paywayCode: o.paywayCode,
    sceneCode: o.sceneCode,
    payStatus: o.payStatus,
    tradeEndTime: o.tradeEndTime ?? undefined,
    bankType: o.bankType ?? undefined,
    notifyState: o.notifyState,
    notifyAttempts: String(o.notifyAttempts),
    notifyNextTime: o.notifyNextAtMs !== null ? formatCompactTime(o.notifyNextAtMs) : undefined,
  };
}
