import type { Channel, ChannelCreateResult, ChannelOrderRef, ChannelStatus } from '../../domain/channels';
import type { SceneCode } from '../../domain/order';
import { channelNotifyUrl, qrImageUrl } from '../urls';
import type { AccountResolver } from './accounts';
import { deviceTypeOfScene, outcomeOfResponseCode, parseResponseCode } from './codes';
import { credentialOf } from './credential';
import { mq002Request, orderTimeoutSeconds, wp001Request } from './messages';
import { statusOfOrderMessage } from './report';
import { callIpaynow } from './transport';
import { q001Request, r001Request, refundStatusOfAnswer } from './refunds';

/** What the adapter needs to know about one of our orders to query it. */
export interface IpaynowOrderContext {
  mercNo: string;
  sceneCode: SceneCode;
  amountFen: number;
}

export interface IpaynowChannelDeps {
  accountFor: AccountResolver;
  orderContext(orderId: string): Promise<IpaynowOrderContext | null>;
  /** Base of our public URLs: notifyUrl for N001, the QR image of a codeUrl. */
  publicBaseUrl: string;
  /** The token of an order's QR image link (secrets/link-token.ts). */
  qrToken: (orderId: string) => string;
  timeoutMs: number;
  now?: () => number;
  fetch?: typeof fetch;
}

/**
 * IPayNow as an upstream channel (docs/ipaynow-channel.md): create = WP001 push (outputType 0, the credential comes
 * back as `tn`), query = MQ002, callbacks = N001 (handled by the API). mhtOrderNo is our orderId; amounts are integer
 * fen. A timeout, a network error, an untrustworthy answer or responseCode A002/A003 is UNKNOWN, resolved by later
 * queries, never a failure.
 *
 * close(): IPayNow has no close interface. close() is a final MQ002 query; the order stays payable at IPayNow until
 * its own mhtOrderTimeOut (our remaining validity, at least 60 s), and a payment after our expiry or close arrives as
 * N001 and follows the late-payment rule.
 */
export function createIpaynowChannel(deps: IpaynowChannelDeps): Channel {
  const now = deps.now ?? Date.now;
  const http = { timeoutMs: deps.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) };

  /** The account that served an order (refunds go to the application that took the money). */
  async function accountOf(orderId: string) {
    const order = await deps.orderContext(orderId);
    if (!order) return { error: 'order not in the read model' };
    return (await deps.accountFor(order.mercNo)) ?? { error: 'no ipaynow account for this merchant' };
  }

  async function query(ref: ChannelOrderRef): Promise<ChannelStatus> {
    const order = await deps.orderContext(ref.orderId);
    if (!order) return { status: 'UNKNOWN', reason: 'order not in the read model' };
    const account = await deps.accountFor(order.mercNo);
    if (!account) return { status: 'UNKNOWN', reason: 'no ipaynow account for this merchant' };
    const answer = await callIpaynow(account, mq002Request(ref.orderId, deviceTypeOfScene(order.sceneCode), account.appId), http);
    if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
    const code = parseResponseCode(answer.fields.responseCode ?? '');
    if (code === null || outcomeOfResponseCode(code) !== 'succeeded') {
      return { status: 'UNKNOWN', reason: `ipaynow MQ002 responseCode ${answer.fields.responseCode ?? '(missing)'}` };
    }
    return statusOfOrderMessage(answer.fields, { orderId: ref.orderId, amountFen: order.amountFen }, now());
  }

  return {
    name: 'ipaynow',

    async create(order): Promise<ChannelCreateResult> {
      const account = await deps.accountFor(order.mercNo);
      if (!account) return { kind: 'UNSUPPORTED', reason: 'the IPayNow channel is not configured for this merchant' };
      const request = wp001Request(order, account.appId, channelNotifyUrl(deps.publicBaseUrl, 'ipaynow'), now());
      const answer = await callIpaynow(account, request, http);
      if (answer.kind === 'unknown') return { kind: 'UNKNOWN', reason: answer.reason };
      const f = answer.fields;
      const code = parseResponseCode(f.responseCode ?? '');
      const outcome = code === null ? 'unknown' : outcomeOfResponseCode(code);
      if (outcome !== 'succeeded') {
        // A002 may be a refusal, but IPayNow may still hold the order: only queries can tell.
        return { kind: 'UNKNOWN', reason: `ipaynow WP001 responseCode ${f.responseCode ?? '(missing)'}` };
      }
      if (f.mhtOrderNo !== undefined && f.mhtOrderNo !== order.orderId) return { kind: 'UNKNOWN', reason: 'ipaynow answered for another order' };
      if (!f.tn) return { kind: 'UNKNOWN', reason: 'ipaynow WP001 answer without tn' };
      return {
        kind: 'CREATED',
        channelOrderNo: f.nowPayOrderNo || order.orderId,
        credential: credentialOf(order.sceneCode, f.tn, qrImageUrl(deps.publicBaseUrl, order.orderId, deps.qrToken(order.orderId))),
      };
    },

    query,

    /**
     * No close funcode at IPayNow: a final MQ002 query. Paid → SUCCESS; closed or failed there → FAIL; still awaiting
     * the payer → FAIL as well (closed on our side only: IPayNow closes it at its mhtOrderTimeOut, and a payment
     * before that arrives as N001 and follows the late-payment rule); unknown stays UNKNOWN.
     */
    async close(ref) {
      const final = await query(ref);
      if (final.status !== 'PENDING') return final;
      return { status: 'FAIL', reason: 'ipaynow has no close: left to time out at ipaynow' };
    },

    /** R001 with mhtRefundNo = our refundId (deduplicated by IPayNow); refunds.ts maps the answer. */
    async refund(req) {
      const account = await accountOf(req.orderId);
      if ('error' in account) return { status: 'UNKNOWN', reason: account.error };
      return refundStatusOfAnswer(await callIpaynow(account, r001Request(req, account.appId), http), 'R001', now());
    },
    /** Q001 by mhtRefundNo: settles a refund whose R001 answer was pending or lost. */
    async queryRefund(ref) {
      const account = await accountOf(ref.orderId);
      if ('error' in account) return { status: 'UNKNOWN', reason: account.error };
      return refundStatusOfAnswer(await callIpaynow(account, q001Request(ref, account.appId), http), 'Q001', now());
    },

    /**
     * IPayNow keeps an order payable until its own mhtOrderTimeOut (counted from the WP001 call, at least 60 s), and
     * our close is only local: keep asking until then plus a margin, so a payment taken after our close is found.
     */
    watchUntilMs(order, marginMs) {
      const channelTimeoutMs = orderTimeoutSeconds(order.expireAtMs, order.createdAtMs) * 1000;
      return Math.max(order.expireAtMs, order.createdAtMs + channelTimeoutMs) + marginMs;
    },
  };
}
