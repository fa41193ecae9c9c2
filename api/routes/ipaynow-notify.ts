import { Router, type Request } from 'express';
import type { ApiContext } from '../context';
import { receiveIpaynowNotify, refuseUnverified, type NotifyReply } from '../ipaynow-callbacks';
import { readRawBody } from '../raw-body';
import { channelNotifyPath } from '../../channels/urls';
import { logThrottle } from '../../observability/log-throttle';

const MAX_NOTIFY_BYTES = 16 * 1024;
/** At most one "limited" log line per this interval (the metric counts each refusal). */
const LIMITED_LOG_INTERVAL_MS = 60_000;

/**
 * IPayNow's N001 notifications (the notifyUrl the adapter sends with every order). The body is read raw, whatever its
 * content type. The answer is HTTP 200 with `success=Y` or `success=N` (IPayNow sends it again later), also for a
 * malformed body and when something on our side fails: never a 5xx. A source address over RATE_LIMIT_N001_RPS is
 * answered before its body is read: HTTP 429 with `success=N` and `Retry-After`, which both IPayNow protocols take as
 * "not received" (the old one treated any HTTP 200 as received), so a genuine notification is sent again.
 */
export function ipaynowNotifyRoutes(ctx: ApiContext): Router {
  const router = Router();
  const limitedLog = logThrottle(LIMITED_LOG_INTERVAL_MS);
  router.post(channelNotifyPath('ipaynow'), async (req, res) => {
    const source = sourceAddress(req);
    let reply: NotifyReply = 'success=N';
    try {
      const limit = await ctx.limits.n001Sources.consume(source);
      if (!limit.ok) {
        ctx.metrics.rateLimited('n001_source');
        limitedLog('n001', (suppressed) => ctx.log.warn({ source, suppressed }, 'ipaynow notifications over RATE_LIMIT_N001_RPS: answered 429 success=N'));
        req.resume(); // not read, not stored
        res.status(429).set('Retry-After', String(limit.retryAfterSeconds)).type('text/plain').send(reply);
        return;
      }
      const raw = await readRawBody(req, MAX_NOTIFY_BYTES);
      if (raw.ok) reply = await receiveIpaynowNotify(ctx, raw.body, source);
      else refuseUnverified(ctx, { reason: 'unreadable', detail: raw.reason, orderId: null, bodyBytes: raw.bytes, source });
    } catch (err) {
      ctx.log.error({ err: (err as Error).message }, 'ipaynow notification not processed; IPayNow will retry');
    }
    res.status(200).type('text/plain').send(reply);
  });
  return router;
}

/** The peer's address (IPv4-mapped IPv6 written as IPv4). Forwarding headers are not trusted: anyone can send them. */
function sourceAddress(req: Request): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
