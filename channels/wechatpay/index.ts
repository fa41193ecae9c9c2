import type { Channel, ChannelCreateResult, ChannelOrderRef, ChannelRefundStatus, ChannelStatus } from '../../domain/channels';
import { channelNotifyUrl, qrImageUrl } from '../urls';
import type { WechatpayAccount, WechatpayAccounts } from './accounts';
import { callWechatpay, type ApiAnswer, type ApiCall } from './client';
import { appPayInfo, h5SceneInfo, jsapiPayInfo, openIdOf, productOf } from './credential';
import { formatWechatTime, statusOfRefund, statusOfTransaction } from './report';

/** What the adapter needs to know about one of our orders after its create: whose, its amount and attach field. */
export interface WechatpayOrderContext {
  mercNo: string;
  amountFen: number;
  attach: string | null;
}

export interface WechatpayChannelDeps {
  accounts: Pick<WechatpayAccounts, 'of'>;
  orderContext(orderId: string): Promise<WechatpayOrderContext | null>;
  publicBaseUrl: string;
  qrToken: (orderId: string) => string;
  timeoutMs: number;
  now?: () => number;
}

type ErrorAnswer = Extract<ApiAnswer, { kind: 'error' }>;
const reasonOf = (a: ErrorAnswer, what: string) => `wechatpay ${what} ${a.status} ${a.code}`;

/** description is at most 127 characters at WeChat Pay. */
const description = (subject: string) => [...subject].slice(0, 127).join('');

const pathOfOrder = (orderId: string) => `/v3/pay/transactions/out-trade-no/${encodeURIComponent(orderId)}`;

/**
 * WeChat Pay API v3 (docs/channels.md). out_trade_no is our orderId; amounts are integer fen at WeChat Pay too.
 * Scenes by endpoint: see credential.ts. A timeout, a network error, a 5xx, SYSTEM_ERROR or an answer that does not
 * verify is UNKNOWN, settled by queries; ORDER_NOT_EXIST on a query is "not paid" (an order whose create never
 * arrived). Close is …/close; an order paid meanwhile answers ORDERPAID, and the query that follows reports it.
 */
export function createWechatpayChannel(deps: WechatpayChannelDeps): Channel {
  const now = deps.now ?? Date.now;
  const call = (account: WechatpayAccount, c: ApiCall) => callWechatpay(account, c, deps.timeoutMs, now);

  async function contextOf(orderId: string) {
    const order = await deps.orderContext(orderId);
    if (!order) return { error: 'order not in the read model' } as const;
    const account = await deps.accounts.of(order.mercNo);
    if (!account) return { error: 'no wechatpay account for this merchant' } as const;
    return { account, order } as const;
  }

  async function query(ref: ChannelOrderRef): Promise<ChannelStatus> {
    const c = await contextOf(ref.orderId);
    if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
    const answer = await call(c.account, { method: 'GET', path: `${pathOfOrder(ref.orderId)}?mchid=${c.account.mchId}` });
    if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
    if (answer.kind === 'ok') return statusOfTransaction(answer.body, { orderId: ref.orderId, mchId: c.account.mchId }, now());
    return answer.meaning === 'not_exist' ? { status: 'PENDING' } : { status: 'UNKNOWN', reason: reasonOf(answer, 'query') };
  }

  return {
    name: 'wechatpay',

    async create(order): Promise<ChannelCreateResult> {
      if (order.paywayCode !== 'wxpay') return { kind: 'UNSUPPORTED', reason: `wechatpay does not serve paywayCode ${order.paywayCode}` };
      const product = productOf(order.sceneCode);
      if (!product) return { kind: 'UNSUPPORTED', reason: `wechatpay does not serve sceneCode ${order.sceneCode}` };
      const account = await deps.accounts.of(order.mercNo);
      if (!account) return { kind: 'UNSUPPORTED', reason: 'the WeChat Pay channel is not configured for this merchant' };
      const body: Record<string, unknown> = {
        appid: account.appId,
        mchid: account.mchId,
        description: description(order.subject),
        out_trade_no: order.orderId,
        time_expire: formatWechatTime(order.expireAtMs),
        notify_url: channelNotifyUrl(deps.publicBaseUrl, 'wechatpay'),
        amount: { total: order.amountFen, currency: 'CNY' },
      };
      if (product === 'h5') {
        const sceneInfo = h5SceneInfo(order);
        if (!sceneInfo) return { kind: 'DECLINED', reason: 'wechatpay h5 needs deviceInfo, mchAppName and mchAppId' };
        body.scene_info = sceneInfo;
      } else {
        body.scene_info = { payer_client_ip: order.ip };
      }
      if (product === 'jsapi') {
        const openid = openIdOf((await deps.orderContext(order.orderId))?.attach ?? null);
        if (!openid) return { kind: 'DECLINED', reason: 'wechatpay jspay needs the payer: attach {"wechatOpenId":"…"}' };
        body.payer = { openid };
      }
      const answer = await call(account, { method: 'POST', path: `/v3/pay/transactions/${product}`, body });
      if (answer.kind === 'unknown') return { kind: 'UNKNOWN', reason: answer.reason };
      if (answer.kind === 'error') {
        // ORDERPAID / ORDER_CLOSED: the order exists already (a repeated create); queries tell its state.
        return answer.meaning === 'declined' ? { kind: 'DECLINED', reason: reasonOf(answer, product) } : { kind: 'UNKNOWN', reason: reasonOf(answer, product) };
      }
      const b = answer.body;
      const text = (field: string) => (typeof b[field] === 'string' && b[field] !== '' ? (b[field] as string) : null);
      const created = (credential: Record<string, string>): ChannelCreateResult => ({ kind: 'CREATED', channelOrderNo: order.orderId, credential });
      if (product === 'native') {
        const codeUrl = text('code_url');
        if (!codeUrl) return { kind: 'UNKNOWN', reason: 'wechatpay native answer without code_url' };
        return created({ codeUrl, imgUrl: qrImageUrl(deps.publicBaseUrl, order.orderId, deps.qrToken(order.orderId)) });
      }
      if (product === 'h5') {
        const h5Url = text('h5_url');
        return h5Url ? created({ mwebUrl: h5Url }) : { kind: 'UNKNOWN', reason: 'wechatpay h5 answer without h5_url' };
      }
      const prepayId = text('prepay_id');
      if (!prepayId) return { kind: 'UNKNOWN', reason: `wechatpay ${product} answer without prepay_id` };
      return created({ payInfo: product === 'app' ? appPayInfo(account, prepayId, now()) : jsapiPayInfo(account, prepayId, now()) });
    },

    query,

    async close(ref) {
      const c = await contextOf(ref.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await call(c.account, { method: 'POST', path: `${pathOfOrder(ref.orderId)}/close`, body: { mchid: c.account.mchId } });
      if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
      if (answer.kind === 'ok') return { status: 'FAIL', reason: 'closed at wechatpay' };
      switch (answer.meaning) {
        // Its create never arrived: there is nothing to pay.
        case 'not_exist': return { status: 'FAIL', reason: 'no order at wechatpay' };
        case 'paid':
        case 'closed':
          return query(ref);
        case 'unknown':
        case 'declined':
          return { status: 'UNKNOWN', reason: reasonOf(answer, 'close') };
      }
    },

    async refund(req): Promise<ChannelRefundStatus> {
      const c = await contextOf(req.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await call(c.account, {
        method: 'POST', path: '/v3/refund/domestic/refunds',
        body: {
          out_trade_no: req.orderId, out_refund_no: req.refundId,
          ...(req.reason ? { reason: [...req.reason].slice(0, 80).join('') } : {}),
          notify_url: channelNotifyUrl(deps.publicBaseUrl, 'wechatpay'),
          amount: { refund: req.amountFen, total: c.order.amountFen, currency: 'CNY' },
        },
      });
      return refundStatusOf(answer, req.refundId, 'refund', now());
    },

    async queryRefund(ref): Promise<ChannelRefundStatus> {
      const c = await contextOf(ref.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await call(c.account, { method: 'GET', path: `/v3/refund/domestic/refunds/${encodeURIComponent(ref.refundId)}` });
      return refundStatusOf(answer, ref.refundId, 'refund query', now());
    },

    /** An order can be paid until its time_expire (our expiry): a payment after an unconfirmed close is still found. */
    watchUntilMs: (order, marginMs) => order.expireAtMs + marginMs,
  };
}

function refundStatusOf(answer: ApiAnswer, refundId: string, what: string, nowMs: number): ChannelRefundStatus {
  if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
  if (answer.kind === 'ok') return statusOfRefund(answer.body, { refundId }, nowMs);
  switch (answer.meaning) {
    case 'not_exist': return { status: 'FAIL', reason: what === 'refund query' ? 'no such refund at wechatpay' : reasonOf(answer, what) };
    case 'declined':
    case 'paid':
    case 'closed':
      return { status: 'FAIL', reason: reasonOf(answer, what) };
    case 'unknown': return { status: 'UNKNOWN', reason: reasonOf(answer, what) };
  }
}
