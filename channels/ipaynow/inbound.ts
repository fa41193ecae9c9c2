import type { Queryable } from '../../db/pool';
import type { Keyring } from '../../secrets/keyring';
import type { ChannelInbound } from '../plugin';
import { textReply as reply, utf8Text } from '../shared';
import { accountResolver } from './accounts';
import { decodeForm, type FormFields } from './form';
import { verifyN001 } from './notification';
import { transStatusField } from './report';
import type { IpaynowSettings } from './settings';
import { hasControlCharacter } from '../../domain/text';

/**
 * IPayNow's N001 notifications: a form body (whatever its content type), answered `success=Y` (received) or
 * `success=N` (IPayNow sends it again later). Over the per-address limit the answer is HTTP 429 with `success=N`, which
 * both IPayNow protocols take as "not received" (the old one treated any HTTP 200 as received). A notification is ours
 * when it names one of our IPayNow orders (mhtOrderNo), comes from that order's merchant's application (appId) and is
 * signed with its key (NEW or OLD rule); it is news when it is about that order and amount, in a state we know.
 */
export function ipaynowInbound(deps: { pool: Queryable; keyring: Keyring; settings: IpaynowSettings; now: () => number }): ChannelInbound {
  const accountFor = accountResolver(deps.pool, deps.settings, deps.keyring);
  return {
    maxBodyBytes: 16 * 1024,
    replies: { received: reply(200, 'success=Y'), again: reply(200, 'success=N'), limited: reply(429, 'success=N') },

    async receive(raw, findOrder) {
      const text = utf8Text(raw);
      if (text === null) return { kind: 'refused', reason: 'unreadable', detail: 'body is not UTF-8', orderId: null };
      const decoded = decodeForm(text);
      if (!decoded.ok) return { kind: 'refused', reason: 'unreadable', detail: `malformed body: ${decoded.reason}`, orderId: null };
      const fields = decoded.fields;
      // No control character (NUL above all: PostgreSQL cannot store it) reaches a query or the stored fields.
      if (Object.entries(fields).some(([k, v]) => hasControlCharacter(k) || hasControlCharacter(v))) {
        return { kind: 'refused', reason: 'unreadable', detail: 'malformed body: control character', orderId: null };
      }
      if (!fields.mhtOrderNo) return { kind: 'refused', reason: 'unknown_order', detail: 'mhtOrderNo missing', orderId: null };
      const order = await findOrder(fields.mhtOrderNo);
      if (!order) return { kind: 'refused', reason: 'unknown_order', detail: 'unknown order', orderId: fields.mhtOrderNo };

      const account = await accountFor(order.mercNo);
      const verdict = verifyN001(fields, account, { orderId: order.orderId, amountFen: order.amountFen }, deps.now());
      if (!verdict.ok && verdict.signatureValid !== true) return { kind: 'refused', reason: 'unverified', detail: verdict.reason, orderId: order.orderId };
      const facts = {
        funcode: fields.funcode ?? null,
        statusCode: transStatusField(fields) ?? null,
        signRule: verdict.ok ? verdict.signRule : null,
        fields: withoutSignature(fields),
      };
      if (!verdict.ok) return { kind: 'rejected', order, facts, reason: verdict.reason };
      return { kind: 'verified', order, facts, news: `${fields.appId}:${order.orderId}:${verdict.statusCode}`, result: verdict.result };
    },
  };
}

function withoutSignature(fields: FormFields): Record<string, string> {
  const { signature: _signature, ...rest } = fields;
  return rest;
}
