import { Router } from 'express';
import QRCode from 'qrcode';
import type { ApiContext } from '../context';
import { findOrderById } from '../../db/orders';
import { linkTokenValid } from '../../secrets/link-token';
import { QR_LINK } from '../../channels/urls';

/**
 * GET /qr/:orderId.svg?k=<token>: a QR image of an order's codeUrl, whatever channel issued it (the imgUrl of scan
 * orders), read from the order's stored unified-order answer. 404 without the order's link token (the imgUrl carries
 * it), and when the order has no codeUrl: the same answer, so an orderId alone reveals nothing.
 */
export function qrRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/qr/:orderId.svg', async (req, res) => {
    const orderId = req.params.orderId;
    const allowed = /^\d{1,32}$/.test(orderId) && linkTokenValid(ctx.config.secrets.keyring, QR_LINK, orderId, req.query.k);
    const order = allowed ? await findOrderById(ctx.pool, orderId) : null;
    const codeUrl = order?.payAnswer?.kind === 'ok' ? order.payAnswer.data.codeUrl : undefined;
    if (!codeUrl) return void res.status(404).type('text/plain').send('no QR code for this order');
    const svg = await QRCode.toString(codeUrl, { type: 'svg', margin: 1 });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').send(svg);
  });
  return router;
}
