import type { Queryable } from '../../db/pool';
import type { Keyring } from '../../secrets/keyring';
import type { ChannelInbound } from '../plugin';
import { textReply as reply, utf8Text } from '../shared';
import { alipayAccountResolver } from './accounts';
import { alipayClient } from './client';
import { statusOfTrade } from './report';
import type { AlipaySettings } from './settings';
import { hasControlCharacter } from '../../domain/text';

/**
 * The content an asynchronous notification is signed over: every parameter but sign and sign_type, with a non-empty
 * value, sorted by name, as `k=v` joined by `&` (values as decoded from the form).
 */
export function notifySignContent(fields: Record<string, string>): string {
  return Object.keys(fields).filter((k) => k !== 'sign' && k !== 'sign_type' && fields[k] !== '').sort()
    .map((k) => `${k}=${fields[k]}`).join('&');
}

/** A form body as fields; null when a key comes twice, a key or value holds a control character, or it is not a form. */
export function parseNotifyForm(text: string): Record<string, string> | null {
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    // No control character (NUL above all: PostgreSQL cannot store it) reaches a query or the stored fields.
    if (k === '' || Object.hasOwn(fields, k) || hasControlCharacter(k) || hasControlCharacter(v)) return null;
    fields[k] = v;
  }
  return fields;
}

/**
 * Alipay's asynchronous notifications (notify_type trade_status_sync): a form body, answered exactly `success`
 * (received; anything else makes Alipay send it again on its schedule: 4m, 10m, 10m, 1h, 2h, 6h, 15h). A notification
 * is ours when it names one of our Alipay orders (out_trade_no), comes from that order's merchant's application
 * (app_id) and verifies with Alipay's public key after removing sign and sign_type; it is news when its trade_status
 * is one we know and a payment carries a readable total_amount.
 */
export function alipayInbound(deps: { pool: Queryable; keyring: Keyring; settings: AlipaySettings; now: () => number }): ChannelInbound {
  const accountFor = alipayAccountResolver(deps.pool, deps.settings, deps.keyring);
  return {
    maxBodyBytes: 16 * 1024,
    replies: { received: reply(200, 'success'), again: reply(200, 'fail'), limited: reply(429, 'fail') },

    async receive(raw, findOrder) {
      const text = utf8Text(raw);
      if (text === null) return { kind: 'refused', reason: 'unreadable', detail: 'body is not UTF-8', orderId: null };
      const fields = parseNotifyForm(text);
      if (!fields) return { kind: 'refused', reason: 'unreadable', detail: 'malformed form body', orderId: null };
      if (!fields.out_trade_no) return { kind: 'refused', reason: 'unknown_order', detail: 'out_trade_no missing', orderId: null };
      const order = await findOrder(fields.out_trade_no);
      if (!order) return { kind: 'refused', reason: 'unknown_order', detail: 'unknown order', orderId: fields.out_trade_no };
      const account = await accountFor(order.mercNo);
      if (!account) return { kind: 'refused', reason: 'unverified', detail: 'no alipay account for the order\'s merchant', orderId: order.orderId };
      if (fields.app_id !== account.appId) return { kind: 'refused', reason: 'unverified', detail: 'app_id is not the order\'s', orderId: order.orderId };
      if (!fields.sign) return { kind: 'refused', reason: 'unverified', detail: 'sign missing', orderId: order.orderId };
      if (fields.sign_type !== undefined && fields.sign_type !== 'RSA2') return { kind: 'refused', reason: 'unverified', detail: 'sign_type is not RSA2', orderId: order.orderId };
      if (!alipayClient(account, deps.settings.timeoutMs).verify(notifySignContent(fields), fields.sign)) {
        return { kind: 'refused', reason: 'unverified', detail: 'bad signature', orderId: order.orderId };
      }
      const { sign: _sign, ...stored } = fields;
      const facts = { funcode: fields.notify_type ?? null, statusCode: fields.trade_status ?? null, signRule: 'RSA2', fields: stored };
      const result = statusOfTrade(fields, { orderId: order.orderId }, deps.now());
      if (result.status === 'UNKNOWN') return { kind: 'rejected', order, facts, reason: result.reason };
      return { kind: 'verified', order, facts, news: `${fields.app_id}:${order.orderId}:${fields.trade_status}`, result };
    },
  };
}
