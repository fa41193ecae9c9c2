import { Router } from 'express';
import QRCode from 'qrcode';
import type { ApiContext } from '../context';
import { findOrderById } from '../../db/orders';

/**
 * GET /qr/:orderId.svg: a QR image of an order's codeUrl, whatever channel issued it (the imgUrl of scan orders),
 * read from the order's stored unified-order answer. 404 when the order has no codeUrl.
 */
export function qrRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/qr/:orderId.svg', async (req, res) => {
    const order = /^\d{1,32}$/.test(req.params.orderId) ? await findOrderById(ctx.pool, req.params.orderId) : null;
    const codeUrl = order?.payAnswer?.kind === 'ok' ? order.payAnswer.data.codeUrl : undefined;
    if (!codeUrl) return void res.status(404).type('text/plain').send('no QR code for this order');
    const svg = await QRCode.toString(codeUrl, { type: 'svg', margin: 1 });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').send(svg);
  });
  return router;
}
