import { Router } from 'express';
import type { ApiContext } from '../context';
import { receiveIpaynowNotify, type NotifyReply } from '../ipaynow-callbacks';
import { readRawBody } from '../raw-body';
import { channelNotifyPath } from '../../channels/urls';
import { recordCallback } from '../../db/channel-callbacks';

const MAX_NOTIFY_BYTES = 16 * 1024;

/**
 * IPayNow's N001 notifications (the notifyUrl the adapter sends with every order). The body is read raw, whatever its
 * content type. The answer is always HTTP 200 with `success=Y` or `success=N` (IPayNow sends it again later), also
 * for a malformed body and when something on our side fails: never a 5xx.
 */
export function ipaynowNotifyRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.post(channelNotifyPath('ipaynow'), async (req, res) => {
    let reply: NotifyReply = 'success=N';
    try {
      const raw = await readRawBody(req, MAX_NOTIFY_BYTES);
      if (raw.ok) {
        reply = await receiveIpaynowNotify(ctx, raw.body);
      } else {
        await recordCallback(ctx.pool, {
          channel: 'ipaynow', orderId: null, funcode: null, statusCode: null, signatureValid: null, signRule: null,
          outcome: 'rejected', reason: raw.reason, dedupKey: null, fields: null, bodyBytes: raw.bytes,
        });
      }
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'ipaynow notification not processed; IPayNow will retry');
    }
    res.status(200).type('text/plain').send(reply);
  });
  return router;
}
