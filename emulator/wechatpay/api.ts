import { takeApiFault, type ApiOp, type Faults } from './faults';
import { messageOf, parseAuthorization, rsaVerify, wechatTime } from './crypto';
import { OrderBook, type EmuOrder, type Product, type Refund } from './orders';
import type { WechatBillDesk } from './bill';

/** A merchant at the emulator: what it verifies requests with, and which WeChat Pay key serial it answers under. */
export interface EmuMerchant {
  mchId: string;
  appId: string;
  serialNo: string;
  /** The merchant's API certificate public key (SPKI PEM). */
  publicKey: string;
  apiV3Key: string;
  mode: 'certificate' | 'publicKey';
}

export interface ApiDeps {
  book: OrderBook;
  merchant(mchId: string): EmuMerchant | undefined;
  faults(): Faults;
  /** Where a payer opens an order: a native code_url, an h5_url. */
  payerUrl(kind: 'qr' | 'h5', o: EmuOrder): string;
  /** A refund was accepted (it succeeds, and is notified, a moment later). */
  refunded(o: EmuOrder, r: Refund): void;
  now(): number;
  /** The trade bills (bill.ts) and where a bill's token is downloaded. */
  bills: WechatBillDesk;
  billUrl(token: string): string;
}

export interface ApiReply {
  status: number;
  body: string;
  /** The merchant whose serial signs the answer (undefined: not attributable). */
  merchant?: EmuMerchant;
  badSignature?: boolean;
  delayMs?: number;
}

type Json = Record<string, unknown>;
const error = (status: number, code: string, message: string): ApiReply => ({ status, body: JSON.stringify({ code, message }) });
const ok = (body: Json, status = 200): ApiReply => ({ status, body: JSON.stringify(body) });
const noContent = (): ApiReply => ({ status: 204, body: '' });

/** A request's Authorization verified against the merchant it names: the merchant, or the problem. */
export function verifyRequest(deps: ApiDeps, method: string, pathAndQuery: string, body: string, authorization: string | undefined): EmuMerchant | string {
  const auth = parseAuthorization(authorization);
  if (!auth) return 'Authorization is not WECHATPAY2-SHA256-RSA2048';
  const merchant = deps.merchant(auth.mchid);
  if (!merchant) return 'mchid unknown';
  if (auth.serial_no.toUpperCase() !== merchant.serialNo.toUpperCase()) return 'serial_no is not the merchant\'s certificate';
  if (!/^\d+$/.test(auth.timestamp) || Math.abs(deps.now() / 1000 - Number(auth.timestamp)) > 300) return 'timestamp expired';
  if (!rsaVerify(messageOf(method, pathAndQuery, auth.timestamp, auth.nonce_str, body), auth.signature, merchant.publicKey)) return 'signature wrong';
  return merchant;
}

function parseJson(body: string): Json | null {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

const tradeType: Record<Product, string> = { native: 'NATIVE', h5: 'MWEB', jsapi: 'JSAPI', app: 'APP' };

/** A transaction as the query answers it. */
export function transactionOf(o: EmuOrder): Json {
  return {
    appid: o.appId, mchid: o.mchId, out_trade_no: o.outTradeNo, trade_type: tradeType[o.product], trade_state: o.state,
    trade_state_desc: o.state === 'NOTPAY' ? '订单未支付' : o.state === 'CLOSED' ? '订单已关闭' : '支付成功',
    ...(o.transactionId ? { transaction_id: o.transactionId, bank_type: 'OTHERS', success_time: wechatTime(o.paidAtMs!) } : {}),
    ...(o.openid ? { payer: { openid: o.openid } } : o.paidAtMs ? { payer: { openid: 'oEmuPayer0000000000000000001' } } : {}),
    amount: { total: o.totalFen, currency: 'CNY', ...(o.paidAtMs ? { payer_total: o.totalFen, payer_currency: 'CNY' } : {}) },
  };
}

/** A refund as answers and notifications carry it. */
export function refundOf(o: EmuOrder, r: Refund): Json {
  return {
    refund_id: r.refundId, out_refund_no: r.outRefundNo, transaction_id: o.transactionId, out_trade_no: o.outTradeNo,
    channel: 'ORIGINAL', user_received_account: '支付用户零钱', status: r.status, create_time: wechatTime(r.createdAtMs),
    ...(r.successAtMs !== null ? { success_time: wechatTime(r.successAtMs) } : {}),
    amount: { total: o.totalFen, refund: r.amountFen, payer_total: o.totalFen, payer_refund: r.amountFen, currency: 'CNY' },
  };
}

/** One API v3 call (already read): routes it, applies the fault switches, verifies the request, answers. */
export function handleApiCall(deps: ApiDeps, method: string, pathAndQuery: string, body: string, authorization: string | undefined): ApiReply {
  const u = new URL(pathAndQuery, 'http://emulator');
  const route = routeOf(method, u.pathname);
  if (!route) return error(404, 'NOT_FOUND', `${method} ${u.pathname} is not emulated`);
  const merchant = verifyRequest(deps, method, pathAndQuery, body, authorization);
  if (typeof merchant === 'string') return error(401, 'SIGN_ERROR', merchant);
  const about = route.outTradeNo ?? (typeof parseJson(body)?.out_trade_no === 'string' ? String(parseJson(body)!.out_trade_no) : undefined);
  const fault = takeApiFault(deps.faults(), route.op, about);
  if (fault?.kind === 'system_error') return { ...error(500, 'SYSTEM_ERROR', '系统错误'), merchant };
  const reply = { ...answer(deps, merchant, route, body, u.searchParams), merchant };
  if (fault?.kind === 'bad_signature') reply.badSignature = true;
  if (fault?.kind === 'timeout') reply.delayMs = fault.delayMs ?? 30_000;
  return reply;
}

type Route = { op: ApiOp; outTradeNo?: string; outRefundNo?: string };

function routeOf(method: string, path: string): Route | null {
  const create = /^\/v3\/pay\/transactions\/(native|h5|jsapi|app)$/.exec(path);
  if (create && method === 'POST') return { op: create[1] as Product };
  const order = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)(\/close)?$/.exec(path);
  if (order && !order[2] && method === 'GET') return { op: 'query', outTradeNo: decodeURIComponent(order[1]!) };
  if (order && order[2] && method === 'POST') return { op: 'close', outTradeNo: decodeURIComponent(order[1]!) };
  if (path === '/v3/refund/domestic/refunds' && method === 'POST') return { op: 'refund' };
  const refund = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
  if (refund && method === 'GET') return { op: 'refund_query', outRefundNo: decodeURIComponent(refund[1]!) };
  if (path === '/v3/bill/tradebill' && method === 'GET') return { op: 'tradebill' };
  return null;
}

function answer(deps: ApiDeps, m: EmuMerchant, route: Route, body: string, query: URLSearchParams): ApiReply {
  const json = body === '' ? {} : parseJson(body);
  if (!json) return error(400, 'PARAM_ERROR', 'body is not JSON');
  switch (route.op) {
    case 'native': case 'h5': case 'jsapi': case 'app':
      return create(deps, m, route.op, json);
    case 'query': {
      if (query.get('mchid') !== m.mchId) return error(400, 'PARAM_ERROR', 'mchid');
      const o = deps.book.find(m.mchId, route.outTradeNo!);
      if (o) expireIfDue(deps, o);
      return o ? ok(transactionOf(o)) : error(404, 'ORDER_NOT_EXIST', '订单不存在');
    }
    case 'close': {
      if (json.mchid !== m.mchId) return error(400, 'PARAM_ERROR', 'mchid');
      const o = deps.book.find(m.mchId, route.outTradeNo!);
      if (!o) return error(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (o.state === 'SUCCESS' || o.state === 'REFUND') return error(400, 'ORDERPAID', '订单已支付');
      o.state = 'CLOSED';
      return noContent();
    }
    case 'refund': return refund(deps, m, json);
    case 'tradebill': {
      if (query.get('tar_type') !== null && query.get('tar_type') !== 'GZIP') return error(400, 'PARAM_ERROR', 'tar_type');
      const issued = deps.bills.issue(m, query.get('bill_date') ?? '', query.get('bill_type') ?? 'ALL');
      if ('code' in issued) return error(issued.code === 'NO_STATEMENT_EXIST' ? 400 : 400, issued.code, issued.message);
      return ok({ hash_type: 'SHA1', hash_value: issued.sha1, download_url: deps.billUrl(issued.token) });
    }
    case 'refund_query': {
      const found = deps.book.findRefund(m.mchId, route.outRefundNo!);
      return found ? ok(refundOf(found.order, found.refund)) : error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
    }
  }
}

/** An unpaid order past its time_expire is closed. */
export function expireIfDue(deps: Pick<ApiDeps, 'now'>, o: EmuOrder): void {
  if (o.state === 'NOTPAY' && o.expireAtMs !== null && deps.now() > o.expireAtMs) o.state = 'CLOSED';
}

function create(deps: ApiDeps, m: EmuMerchant, product: Product, b: Json): ApiReply {
  const amount = b.amount as Json | undefined;
  const total = amount?.total;
  if (b.appid !== m.appId) return error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
  if (b.mchid !== m.mchId) return error(400, 'PARAM_ERROR', 'mchid');
  if (typeof b.out_trade_no !== 'string' || !/^[\w*|-]{6,32}$/.test(b.out_trade_no)) return error(400, 'PARAM_ERROR', 'out_trade_no');
  if (typeof b.description !== 'string' || b.description === '' || [...b.description].length > 127) return error(400, 'PARAM_ERROR', 'description');
  if (typeof b.notify_url !== 'string' || !/^https?:\/\//.test(b.notify_url)) return error(400, 'PARAM_ERROR', 'notify_url');
  if (typeof total !== 'number' || !Number.isSafeInteger(total) || total <= 0) return error(400, 'PARAM_ERROR', 'amount.total');
  if (amount?.currency !== undefined && amount.currency !== 'CNY') return error(400, 'PARAM_ERROR', 'amount.currency');
  const scene = b.scene_info as Json | undefined;
  if (product === 'h5') {
    const h5 = scene?.h5_info as Json | undefined;
    if (typeof scene?.payer_client_ip !== 'string' || !h5 || !['Wap', 'iOS', 'Android'].includes(String(h5.type))) return error(400, 'PARAM_ERROR', 'scene_info');
  }
  const openid = (b.payer as Json | undefined)?.openid;
  if (product === 'jsapi' && typeof openid !== 'string') return error(400, 'PARAM_ERROR', 'payer.openid');
  let expireAtMs: number | null = null;
  if (b.time_expire !== undefined) {
    expireAtMs = typeof b.time_expire === 'string' ? Date.parse(b.time_expire) : Number.NaN;
    if (!Number.isFinite(expireAtMs)) return error(400, 'PARAM_ERROR', 'time_expire');
  }
  const existing = deps.book.find(m.mchId, b.out_trade_no);
  if (existing) {
    if (existing.state === 'SUCCESS' || existing.state === 'REFUND') return error(400, 'ORDERPAID', '该订单已支付');
    if (existing.state === 'CLOSED') return error(400, 'ORDER_CLOSED', '订单已关闭');
    if (existing.totalFen !== total || existing.product !== product) return error(400, 'INVALID_REQUEST', '201 商户订单号重复');
  }
  const o = existing ?? deps.book.open({
    mchId: m.mchId, appId: m.appId, outTradeNo: b.out_trade_no, product, totalFen: total, description: b.description,
    notifyUrl: b.notify_url, expireAtMs, openid: typeof openid === 'string' ? openid : null, sceneInfo: scene ?? null,
  });
  if (product === 'native') return ok({ code_url: deps.payerUrl('qr', o) });
  if (product === 'h5') return ok({ h5_url: deps.payerUrl('h5', o) });
  return ok({ prepay_id: o.prepayId });
}

function refund(deps: ApiDeps, m: EmuMerchant, b: Json): ApiReply {
  const amount = b.amount as Json | undefined;
  const refundFen = amount?.refund;
  if (typeof b.out_refund_no !== 'string' || !/^[\w*|@-]{1,64}$/.test(b.out_refund_no)) return error(400, 'PARAM_ERROR', 'out_refund_no');
  if (typeof refundFen !== 'number' || !Number.isSafeInteger(refundFen) || refundFen <= 0) return error(400, 'PARAM_ERROR', 'amount.refund');
  const o = typeof b.out_trade_no === 'string' ? deps.book.find(m.mchId, b.out_trade_no) : undefined;
  if (!o) return error(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
  if (amount?.total !== o.totalFen) return error(400, 'PARAM_ERROR', 'amount.total is not the order\'s');
  const done = o.refunds.get(b.out_refund_no);
  if (done) return done.amountFen === refundFen ? ok(refundOf(o, done)) : error(400, 'INVALID_REQUEST', '退款单号已使用,金额不同');
  if (o.state !== 'SUCCESS' && o.state !== 'REFUND') return error(400, 'INVALID_REQUEST', '订单未支付');
  const refunded = [...o.refunds.values()].reduce((n, r) => n + r.amountFen, 0);
  if (refunded + refundFen > o.totalFen) return error(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额');
  const r: Refund = {
    outRefundNo: b.out_refund_no, refundId: OrderBook.newRefundId(), amountFen: refundFen, status: 'PROCESSING', createdAtMs: deps.now(),
    successAtMs: null, notifyUrl: typeof b.notify_url === 'string' ? b.notify_url : o.notifyUrl,
  };
  o.refunds.set(r.outRefundNo, r);
  o.state = 'REFUND';
  deps.refunded(o, r);
  return ok(refundOf(o, r));
}
