import { Router } from 'express';
import type { SupportEnv } from '../../../support/temporal';
import { orderTimeline } from '../../../support/timeline';
import { findOrderById, findOrderByMercOrderNo, type OrderRecord } from '../../../db/orders';
import { SupportError } from '../../../domain/errors';
import { OrderRefParamsSchema, OrderRefQuerySchema, parseSupport } from '../../schemas/support';
import type { Pool } from '../../../db/pool';

/** The order, or 404 naming what was looked up. */
export async function loadOrder(pool: Pool, ref: { orderId: string } | { mercNo: string; mercOrderNo: string }): Promise<OrderRecord> {
  const order = 'orderId' in ref ? await findOrderById(pool, ref.orderId) : await findOrderByMercOrderNo(pool, ref.mercNo, ref.mercOrderNo);
  if (order) return order;
  throw new SupportError('not_found', 'orderId' in ref
    ? `no order with orderId ${ref.orderId} (for a merchant order number add ?mercNo=…)`
    : `merchant ${ref.mercNo} has no order ${ref.mercOrderNo}`);
}

/** GET /support/v1/orders/:ref[?mercNo=…] — the order's whole story: read model, audit, channel, notifications, live state. */
export function supportOrderRoutes(env: SupportEnv): Router {
  const router = Router();
  router.get('/orders/:ref', async (req, res) => {
    const { ref } = parseSupport(OrderRefParamsSchema, req.params);
    const { mercNo } = parseSupport(OrderRefQuerySchema, req.query);
    const order = await loadOrder(env.pool, mercNo ? { mercNo, mercOrderNo: ref } : { orderId: ref });
    res.json(await orderTimeline(env, order));
  });
  return router;
}
