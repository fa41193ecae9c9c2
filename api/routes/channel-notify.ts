import { Router, type Request, type Response } from 'express';
import type { ApiContext } from '../context';
import { receiveChannelCallback, refuseUnverified } from '../channel-callbacks';
import { readRawBody } from '../raw-body';
import type { Channels } from '../../channels/registry';
import type { CallbackReply } from '../../channels/plugin';
import { isChannelName } from '../../domain/channels';
import { logThrottle } from '../../observability/log-throttle';

/** At most one "limited" log line per this interval (the metric counts each refusal). */
const LIMITED_LOG_INTERVAL_MS = 60_000;

/**
 * Every channel's asynchronous notifications: POST /channels/:name/notify (the notify URL each channel sends with its
 * orders; IPayNow's is /channels/ipaynow/notify). The body is read raw, whatever its content type, and handed to the
 * channel's inbound side; the answer is exactly what that channel expects, also for a malformed body and when
 * something on our side fails: never a 5xx. A source address over RATE_LIMIT_N001_RPS is answered before its body is
 * read, with the channel's "limited" reply (HTTP 429, "send again") and Retry-After, so a genuine notification comes
 * again. A name that is not a channel with callbacks is 404.
 */
export function channelNotifyRoutes(ctx: ApiContext, channels: Channels): Router {
  const router = Router();
  const limitedLog = logThrottle(LIMITED_LOG_INTERVAL_MS);
  router.post('/channels/:name/notify', async (req, res) => {
    const name = req.params.name;
    const inbound = isChannelName(name) ? channels.built[name].inbound : undefined;
    if (!isChannelName(name) || !inbound) {
      req.resume();
      return void res.status(404).type('text/plain').send('not found');
    }
    const source = sourceAddress(req);
    let reply: CallbackReply = inbound.replies.again;
    try {
      const limit = await ctx.limits.n001Sources.consume(source);
      if (!limit.ok) {
        ctx.metrics.rateLimited('n001_source');
        limitedLog(name, (suppressed) => ctx.log.warn({ channel: name, source, suppressed }, 'channel notifications over RATE_LIMIT_N001_RPS: answered 429'));
        req.resume(); // not read, not stored
        res.set('Retry-After', String(limit.retryAfterSeconds));
        return void send(res, inbound.replies.limited);
      }
      const raw = await readRawBody(req, inbound.maxBodyBytes);
      if (raw.ok) reply = await receiveChannelCallback(ctx, name, inbound, raw.body, source, req.headers);
      else {
        refuseUnverified(ctx, name, { reason: 'unreadable', detail: raw.reason, orderId: null, bodyBytes: raw.bytes, source });
        reply = inbound.replies.refused ?? inbound.replies.again;
      }
    } catch (err) {
      ctx.log.error({ channel: name, err: (err as Error).message }, 'channel notification not processed; the channel will retry');
    }
    send(res, reply);
  });
  return router;
}

function send(res: Response, reply: CallbackReply): void {
  res.status(reply.status).type(reply.contentType).send(reply.body);
}

/** The peer's address (IPv4-mapped IPv6 written as IPv4). Forwarding headers are not trusted: anyone can send them. */
function sourceAddress(req: Request): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
