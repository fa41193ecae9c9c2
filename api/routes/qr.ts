import { Router } from 'express';
import QRCode from 'qrcode';
import type { ApiContext } from '../context';
import { findOrderById } from '../../db/orders';
import { isQrImageToken } from '../../secrets/link-tokens';

/**
 * GET /qr/:orderId/:token.svg: a QR image of an order's codeUrl, whatever channel issued it (the imgUrl of scan
 * orders), read from the order's stored unified-order answer. The token is the order's unguessable link token
 * (secrets/link-tokens.ts), as handed out in imgUrl: without it an orderId gets nothing. Every refusal — a wrong or
 * missing token, no such order, no codeUrl — is the same 404, so the answer says nothing about the order.
 */
export function qrRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/qr/:orderId/:token.svg', async (req, res) => {
    const { orderId, token } = req.params;
    const allowed = /^\d{1,32}$/.test(orderId) && isQrImageToken(ctx.config.secrets.keyring, orderId, token);
    const order = allowed ? await findOrderById(ctx.pool, orderId) : null;
    const codeUrl = order?.payAnswer?.kind === 'ok' ? order.payAnswer.data.codeUrl : undefined;
    if (!codeUrl) return void res.status(404).type('text/plain').send('no QR code here');
    const svg = await QRCode.toString(codeUrl, { type: 'svg', margin: 1 });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').set('Referrer-Policy', 'no-referrer').send(svg);
  });
  return router;
}
