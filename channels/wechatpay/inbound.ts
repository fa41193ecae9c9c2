import type { CallbackFacts, CallbackReply, CallbackVerdict, ChannelInbound } from '../plugin';
import { utf8Text } from '../shared';
import { hasControlCharacter } from '../../domain/text';
import type { WechatpayAccount, WechatpayAccounts } from './accounts';
import { isEventType, isRefundEvent } from './codes';
import { statusOfRefund, statusOfTransaction } from './report';
import { checkSignedHeaders, decryptResource, signedHeadersOf, verifySigned, type EncryptedResource, type SignedHeaders } from './signing';
import { WECHATPAY_MAX_SKEW_MS } from './settings';

const json = (status: number, body: string): CallbackReply => ({ status, contentType: 'application/json', body });
/** WeChat Pay's failure answer: any 4xx/5xx makes it send the notification again; the JSON body is {code, message}. */
const fail = (status: number, message: string) => json(status, JSON.stringify({ code: 'FAIL', message }));

/** The notification envelope: its resource is encrypted. */
interface Envelope {
  id: string;
  event_type: string;
  resource: EncryptedResource;
}

function parseEnvelope(text: string): Envelope | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || holdsControlCharacter(v)) return null;
  const e = v as Record<string, unknown>;
  const r = e.resource as Record<string, unknown> | undefined;
  if (typeof e.id !== 'string' || typeof e.event_type !== 'string' || !r || typeof r !== 'object') return null;
  if (typeof r.algorithm !== 'string' || typeof r.ciphertext !== 'string' || typeof r.nonce !== 'string') return null;
  if (r.associated_data !== undefined && typeof r.associated_data !== 'string') return null;
  return { id: e.id, event_type: e.event_type, resource: r as unknown as EncryptedResource };
}

/** Whether any string in a parsed JSON value (keys included) holds a control character (a NUL cannot be stored). */
function holdsControlCharacter(v: unknown): boolean {
  if (typeof v === 'string') return hasControlCharacter(v);
  if (Array.isArray(v)) return v.some(holdsControlCharacter);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => hasControlCharacter(k) || holdsControlCharacter(x));
  return false;
}

/** A decrypted resource as an object of plain fields; null when it is not one or holds a control character. */
function parseResource(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) && !holdsControlCharacter(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Signed by the account's WeChat Pay key, and decrypted with its APIv3 key: the resource, or null. */
function openWith(account: WechatpayAccount, h: SignedHeaders, text: string, env: Envelope, nowMs: number): Record<string, unknown> | null {
  if (!verifySigned(h, text, account.platformKeys, nowMs, WECHATPAY_MAX_SKEW_MS).ok) return null;
  const plain = decryptResource(env.resource, account.apiV3Key);
  return plain === null ? null : parseResource(plain);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** What is stored of a notification: the envelope's id and type and the resource's plain facts (never its ciphertext). */
function factsOf(env: Envelope, r: Record<string, unknown>, status: string | undefined): CallbackFacts {
  const fields: Record<string, string> = { id: env.id, event_type: env.event_type };
  for (const k of ['mchid', 'appid', 'out_trade_no', 'transaction_id', 'trade_state', 'trade_type', 'bank_type', 'success_time', 'out_refund_no', 'refund_id', 'refund_status']) {
    const v = str(r[k]);
    if (v !== undefined) fields[k] = v.slice(0, 128);
  }
  const amount = r.amount as Record<string, unknown> | undefined;
  for (const k of ['total', 'payer_total', 'refund', 'payer_refund']) {
    if (amount && typeof amount[k] === 'number') fields[`amount.${k}`] = String(amount[k]);
  }
  return { funcode: env.event_type, statusCode: status ?? null, signRule: 'WECHATPAY2-SHA256-RSA2048', fields };
}

/**
 * WeChat Pay API v3 notifications (TRANSACTION.SUCCESS, REFUND.SUCCESS / ABNORMAL / CLOSED): a JSON envelope whose
 * resource is AEAD_AES_256_GCM-encrypted with the APIv3 key; the body is signed (`Wechatpay-Signature` over
 * `ts\nnonce\nbody\n`, key by `Wechatpay-Serial`). Received is HTTP 204 without a body; anything else is a 4xx with
 * {code: FAIL, message} (401 refused before it verified, 400 verified but not taken now, 429 over the rate limit), and
 * WeChat Pay sends it again (15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h,
 * 6h, 6h). A notification is ours when it verifies and decrypts with the account of the order its out_trade_no names
 * (that account's WeChat Pay key for the serial, its APIv3 key, its mchid), and is not a SIGNTEST probe or older than
 * five minutes.
 */
export function wechatpayInbound(deps: { accounts: WechatpayAccounts; now: () => number }): ChannelInbound {
  return {
    maxBodyBytes: 16 * 1024,
    replies: {
      received: { status: 204, contentType: 'application/json', body: '' },
      again: fail(400, 'not received: send it again'),
      // Not signed right (or unreadable, or about no order of ours): an authentication failure.
      refused: fail(401, 'not verified: refused'),
      limited: fail(429, 'too many notifications from this address: send it again later'),
    },

    async receive(raw, findOrder, headers): Promise<CallbackVerdict> {
      const refused = (reason: 'unreadable' | 'unknown_order' | 'unverified', detail: string, orderId: string | null = null): CallbackVerdict =>
        ({ kind: 'refused', reason, detail, orderId });
      const text = utf8Text(raw);
      if (text === null) return refused('unreadable', 'body is not UTF-8');
      const env = parseEnvelope(text);
      if (!env) return refused('unreadable', 'not a WeChat Pay notification envelope');
      const h = signedHeadersOf(headers);
      const nowMs = deps.now();
      // Missing headers, a SIGNTEST probe or an old timestamp is refused before any account is looked up.
      const early = checkSignedHeaders(h, nowMs, WECHATPAY_MAX_SKEW_MS);
      if (!early.ok) return refused('unverified', early.reason);
      let resource: Record<string, unknown> | null = null;
      for (const account of await deps.accounts.withSerial(h.serial!)) {
        resource = openWith(account, h, text, env, nowMs);
        if (resource) break;
      }
      if (!resource) return refused('unverified', 'no account of this serial verifies and decrypts it');
      const orderNo = str(resource.out_trade_no);
      if (!orderNo) return refused('unknown_order', 'out_trade_no missing');
      const order = await findOrder(orderNo);
      if (!order) return refused('unknown_order', 'unknown order', orderNo);
      // The order's own account must be the one that signed it, and its APIv3 key the one it was sealed with.
      const account = await deps.accounts.of(order.mercNo);
      if (!account) return refused('unverified', 'no wechatpay account for the order\'s merchant', order.orderId);
      if (resource.mchid !== account.mchId) return refused('unverified', 'mchid is not the order\'s account', order.orderId);
      if (!openWith(account, h, text, env, nowMs)) return refused('unverified', 'not signed and sealed by the order\'s account', order.orderId);

      if (!isEventType(env.event_type)) return { kind: 'rejected', order, facts: factsOf(env, resource, undefined), reason: `event_type ${env.event_type.slice(0, 40)} is not one we know` };
      if (isRefundEvent(env.event_type)) {
        const facts = factsOf(env, resource, str(resource.refund_status));
        const refundId = str(resource.out_refund_no);
        if (!refundId) return { kind: 'rejected', order, facts, reason: 'out_refund_no missing' };
        const result = statusOfRefund(resource, { refundId }, nowMs);
        if (result.status === 'UNKNOWN' || result.status === 'UNSUPPORTED') return { kind: 'rejected', order, facts, reason: result.reason };
        return { kind: 'refund', order, facts, news: `refund:${account.mchId}:${refundId}:${result.status}`, refund: { refundId, result } };
      }
      const facts = factsOf(env, resource, str(resource.trade_state));
      const result = statusOfTransaction(resource, { orderId: order.orderId, mchId: account.mchId }, nowMs);
      if (result.status === 'UNKNOWN') return { kind: 'rejected', order, facts, reason: result.reason };
      return { kind: 'verified', order, facts, news: `${account.mchId}:${order.orderId}:${String(resource.trade_state)}`, result };
    },
  };
}
