import type { Channel, ChannelCreateResult, ChannelOrderRef, ChannelRefundStatus, ChannelStatus } from '../../domain/channels';
import { formatFenAsYuan, parseYuanToFen } from '../../domain/money';
import { channelNotifyUrl, qrImageUrl } from '../urls';
import type { AlipayAccountResolver } from './accounts';
import { alipayClient, type GatewayAnswer } from './client';
import { alipaySceneOf, buyerOf, credentialOfPage } from './credential';
import { formatAlipayTime, parseAlipayTime, statusOfTrade } from './report';
import { queryTransferAtAlipay, transferAtAlipay } from './transfers';

/** What the adapter needs to know about one of our orders after its create: whose it is, and its attach field. */
export interface AlipayOrderContext {
  mercNo: string;
  attach: string | null;
}

export interface AlipayChannelDeps {
  accountFor: AlipayAccountResolver;
  orderContext(orderId: string): Promise<AlipayOrderContext | null>;
  publicBaseUrl: string;
  qrToken: (orderId: string) => string;
  timeoutMs: number;
  now?: () => number;
}

const reasonOf = (a: Extract<GatewayAnswer, { kind: 'answer' }>, method: string) =>
  `alipay ${method} ${a.code}${a.subCode ? ` ${a.subCode}` : ''}`;

/**
 * Alipay, OpenAPI v2 (docs/channels.md). out_trade_no is our orderId; amounts are yuan strings at Alipay, fen here.
 * Scenes by method: see credential.ts. A timeout, a network error, an answer that does not verify, 20000 or
 * ACQ.SYSTEM_ERROR is UNKNOWN, settled by queries; ACQ.TRADE_NOT_EXIST on a query is "not paid yet" (a QR code not
 * yet scanned, a page not yet opened). Close is alipay.trade.close; a trade that was paid meanwhile answers
 * TRADE_STATUS_ERROR, and the query that follows reports the payment.
 */
export function createAlipayChannel(deps: AlipayChannelDeps): Channel {
  const now = deps.now ?? Date.now;

  async function clientOf(orderId: string) {
    const order = await deps.orderContext(orderId);
    if (!order) return { error: 'order not in the read model' } as const;
    const account = await deps.accountFor(order.mercNo);
    if (!account) return { error: 'no alipay account for this merchant' } as const;
    return { client: alipayClient(account, deps.timeoutMs), order } as const;
  }

  async function query(ref: ChannelOrderRef): Promise<ChannelStatus> {
    const c = await clientOf(ref.orderId);
    if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
    const answer = await c.client.call('alipay.trade.query', { out_trade_no: ref.orderId });
    if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
    switch (answer.meaning) {
      case 'ok': return statusOfTrade(answer.body as Record<string, string>, { orderId: ref.orderId }, now());
      case 'not_exist': return { status: 'PENDING' };
      case 'unknown':
      case 'status_error':
      case 'declined':
        return { status: 'UNKNOWN', reason: reasonOf(answer, 'trade.query') };
    }
  }

  return {
    name: 'alipay',

    async create(order): Promise<ChannelCreateResult> {
      const account = await deps.accountFor(order.mercNo);
      if (!account) return { kind: 'UNSUPPORTED', reason: 'the Alipay channel is not configured for this merchant' };
      const scene = alipaySceneOf(order.sceneCode);
      if (scene.kind === 'unsupported') return { kind: 'UNSUPPORTED', reason: `alipay does not serve sceneCode ${order.sceneCode}` };
      const client = alipayClient(account, deps.timeoutMs);
      const biz: Record<string, unknown> = {
        out_trade_no: order.orderId,
        total_amount: formatFenAsYuan(order.amountFen),
        subject: order.subject,
        product_code: scene.productCode,
        time_expire: formatAlipayTime(order.expireAtMs),
      };
      const extra = { notify_url: channelNotifyUrl(deps.publicBaseUrl, 'alipay') };
      if (scene.kind === 'page') {
        const produced = client.pageLink(scene.method, scene.httpMethod, biz, extra);
        return { kind: 'CREATED', channelOrderNo: order.orderId, credential: credentialOfPage(order.sceneCode === 'h5' ? 'h5' : 'gateway', produced) };
      }
      if (scene.kind === 'app') {
        return { kind: 'CREATED', channelOrderNo: order.orderId, credential: credentialOfPage('app', client.orderString(scene.method, biz, extra)) };
      }
      if (scene.method === 'alipay.trade.create') {
        const buyer = buyerOf((await deps.orderContext(order.orderId))?.attach ?? null);
        if (!buyer) return { kind: 'DECLINED', reason: 'alipay jspay needs the payer: attach {"alipayBuyerId":"2088…"} or {"alipayOpenId":"…"}' };
        Object.assign(biz, buyer);
      }
      const answer = await client.call(scene.method, biz, extra);
      if (answer.kind === 'unknown') return { kind: 'UNKNOWN', reason: answer.reason };
      const body = answer.body as Record<string, string>;
      switch (answer.meaning) {
        case 'ok': {
          if (body.out_trade_no !== undefined && body.out_trade_no !== order.orderId) return { kind: 'UNKNOWN', reason: 'alipay answered for another order' };
          if (scene.method === 'alipay.trade.precreate') {
            if (!body.qr_code) return { kind: 'UNKNOWN', reason: 'alipay precreate answer without qr_code' };
            const imgUrl = qrImageUrl(deps.publicBaseUrl, order.orderId, deps.qrToken(order.orderId));
            return { kind: 'CREATED', channelOrderNo: order.orderId, credential: { codeUrl: body.qr_code, imgUrl } };
          }
          if (!body.trade_no) return { kind: 'UNKNOWN', reason: 'alipay trade.create answer without trade_no' };
          return { kind: 'CREATED', channelOrderNo: body.trade_no, credential: { payInfo: JSON.stringify({ tradeNO: body.trade_no }) } };
        }
        case 'declined': return { kind: 'DECLINED', reason: reasonOf(answer, scene.method) };
        // ACQ.TRADE_HAS_SUCCESS and the like: the trade exists already; queries tell its state.
        case 'status_error':
        case 'not_exist':
        case 'unknown':
          return { kind: 'UNKNOWN', reason: reasonOf(answer, scene.method) };
      }
    },

    query,

    async close(ref) {
      const c = await clientOf(ref.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await c.client.call('alipay.trade.close', { out_trade_no: ref.orderId });
      if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
      switch (answer.meaning) {
        case 'ok': return { status: 'FAIL', reason: 'closed at alipay' };
        // No trade: the QR code was never scanned / the page never opened. It cannot be paid after its time_expire;
        // until then the order stays watched (watchUntilMs).
        case 'not_exist': return { status: 'FAIL', reason: 'no trade at alipay: never opened by a payer' };
        case 'status_error': return query(ref);
        case 'unknown':
        case 'declined':
          return { status: 'UNKNOWN', reason: reasonOf(answer, 'trade.close') };
      }
    },

    async refund(req): Promise<ChannelRefundStatus> {
      const c = await clientOf(req.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await c.client.call('alipay.trade.refund', {
        out_trade_no: req.orderId, out_request_no: req.refundId, refund_amount: formatFenAsYuan(req.amountFen),
        ...(req.reason ? { refund_reason: req.reason } : {}),
      });
      // fund_change Y: this request moved the money. N or absent (a repeat of a number already refunded, or an answer
      // that does not say): not proof of this refund — unknown, settled by refund.query with the same number.
      if (answer.kind === 'answer' && answer.meaning === 'ok' && (answer.body as Record<string, string>).fund_change !== 'Y') {
        return { status: 'UNKNOWN', reason: `alipay refund answered fund_change ${String(answer.body.fund_change ?? 'absent')}: asking refund.query` };
      }
      return refundStatusOf(answer, now());
    },

    async queryRefund(ref): Promise<ChannelRefundStatus> {
      const c = await clientOf(ref.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      const answer = await c.client.call('alipay.trade.fastpay.refund.query', { out_trade_no: ref.orderId, out_request_no: ref.refundId });
      if (answer.kind === 'answer' && answer.meaning === 'ok' && (answer.body as Record<string, string>).refund_status !== 'REFUND_SUCCESS') {
        return answer.body.refund_amount === undefined ? { status: 'FAIL', reason: 'no such refund at alipay', notFound: true } : { status: 'PENDING' };
      }
      return refundStatusOf(answer, now());
    },

    /** Payouts: alipay.fund.trans.uni.transfer with out_biz_no = our orderId, and its common.query (transfers.ts). */
    async transfer(req) {
      const c = await clientOf(req.orderId);
      if ('error' in c) return { status: 'UNSUPPORTED', reason: c.error ?? 'unknown' };
      return transferAtAlipay(c.client, req, now());
    },

    async queryTransfer(ref) {
      const c = await clientOf(ref.orderId);
      if ('error' in c) return { status: 'UNKNOWN', reason: c.error ?? 'unknown' };
      return queryTransferAtAlipay(c.client, ref, now());
    },

    /** A pay link stays usable until its time_expire (our expiry): a payment after a merchant close is still found. */
    watchUntilMs: (order, marginMs) => order.expireAtMs + marginMs,
  };
}

function refundStatusOf(answer: GatewayAnswer, nowMs: number): ChannelRefundStatus {
  if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
  const body = answer.body as Record<string, string>;
  switch (answer.meaning) {
    case 'ok': {
      const amount = parseYuanToFen(body.refund_fee ?? body.refund_amount ?? '');
      if (!amount.ok) return { status: 'UNKNOWN', reason: 'alipay refund answer without a readable amount' };
      const at = body.gmt_refund_pay ? parseAlipayTime(body.gmt_refund_pay) : null;
      return { status: 'SUCCESS', amountFen: amount.fen, refundedAtMs: at ?? nowMs, ...(body.trade_no ? { channelRefundNo: body.trade_no } : {}) };
    }
    case 'declined':
    case 'not_exist':
      return { status: 'FAIL', reason: reasonOf(answer, 'refund') };
    case 'status_error':
    case 'unknown':
      return { status: 'UNKNOWN', reason: reasonOf(answer, 'refund') };
  }
}
