import { takeGatewayFault, type Faults } from './faults';
import { alipayTime } from './notifier';
import { contentOf, rsa2Sign, rsa2Verify } from './rsa';
import type { Trade, TradeBook } from './trades';
import type { TransferBook } from './transfers';
import type { BillDesk } from './bill';

export interface GatewayDeps {
  book: TradeBook;
  transfers: TransferBook;
  /** appId → the application's public key (SPKI PEM). */
  appKeyOf(appId: string): string | undefined;
  alipayPrivateKey: string;
  faults(): Faults;
  /** Where a precreated trade's QR code points (the payer's scan page). */
  qrUrl(trade: Trade): string;
  now(): number;
  /** The daily trade bills (bill.ts) and where a download token is fetched. */
  bills: BillDesk;
  billUrl(token: string): string;
}

export type GatewayReply = { status: number; body: string; delayMs?: number };

type Biz = Record<string, unknown>;
type Answer = Record<string, unknown>;

const ok = (extra: Answer): Answer => ({ code: '10000', msg: 'Success', ...extra });
const fail = (code: string, msg: string, subCode: string, subMsg: string): Answer => ({ code, msg, sub_code: subCode, sub_msg: subMsg });
const notExist = () => fail('40004', 'Business Failed', 'ACQ.TRADE_NOT_EXIST', '交易不存在');
const invalid = (subMsg: string) => fail('40002', 'Invalid Arguments', 'isv.invalid-parameter', subMsg);

/** A yuan amount as integer fen (digits only, never through floating point); NaN when it is not one. */
function toFen(yuan: string): number {
  const m = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(yuan);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : Number.NaN;
}

/** `yyyy-MM-dd HH:mm:ss` CST → epoch ms, or null. */
export function parseAlipayTime(s: unknown): number | null {
  if (typeof s !== 'string') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se) - 8 * 3_600_000;
}

/**
 * Verifies a request's parameters (query and form together): a known app_id, sign_type RSA2, and a signature with the
 * application's public key over the sorted non-empty parameters except sign (sign_type included). Returns the
 * problem, or null.
 */
export function verifyRequest(params: Record<string, string>, appKeyOf: (appId: string) => string | undefined): string | null {
  const key = params.app_id ? appKeyOf(params.app_id) : undefined;
  if (!key) return 'isv.invalid-app-id';
  if (params.sign_type !== 'RSA2') return 'isv.invalid-signature-type';
  if (!params.sign || !rsa2Verify(contentOf(params, false), params.sign, key)) return 'isv.invalid-signature';
  return null;
}

/** Opens a page or app trade from its signed parameters (what the payer's browser or the app hands to Alipay). */
export function openFromParams(deps: GatewayDeps, params: Record<string, string>): { trade: Trade } | { error: string } {
  const problem = verifyRequest(params, deps.appKeyOf);
  if (problem) return { error: problem };
  if (!['alipay.trade.wap.pay', 'alipay.trade.page.pay', 'alipay.trade.app.pay'].includes(params.method ?? '')) return { error: 'not a pay page or app order' };
  const biz = parseBiz(params.biz_content);
  if (!biz) return { error: 'biz_content is not JSON' };
  const expireAtMs = parseAlipayTime(biz.time_expire);
  if (expireAtMs !== null && deps.now() > expireAtMs) return { error: 'ACQ.TRADE_HAS_CLOSE: the order has expired' };
  const trade = deps.book.open({
    appId: params.app_id!, outTradeNo: String(biz.out_trade_no ?? ''), method: params.method!, totalAmount: String(biz.total_amount ?? ''),
    subject: String(biz.subject ?? ''), notifyUrl: params.notify_url ?? null, expireAtMs, state: 'WAIT_BUYER_PAY',
  });
  if (trade.state === 'NOT_SCANNED') trade.state = 'WAIT_BUYER_PAY';
  return { trade };
}

function parseBiz(text: string | undefined): Biz | null {
  try {
    const v: unknown = JSON.parse(text ?? '');
    return v && typeof v === 'object' ? (v as Biz) : null;
  } catch {
    return null;
  }
}

/** One OpenAPI v2 server call (POST gateway.do). */
export function handleGatewayCall(deps: GatewayDeps, params: Record<string, string>): GatewayReply {
  const method = params.method ?? '';
  const responseKey = `${method.replace(/\./g, '_')}_response`;
  const problem = verifyRequest(params, deps.appKeyOf);
  const fault = problem ? null : takeGatewayFault(deps.faults(), method);
  // Every verified transfer request counts, whatever is answered (a fault included): tests assert "asked once".
  if (!problem && method === 'alipay.fund.trans.uni.transfer') {
    const outBizNo = parseBiz(params.biz_content)?.out_biz_no;
    if (typeof outBizNo === 'string') deps.transfers.count(outBizNo);
  }
  let answer: Answer;
  if (problem) answer = fail('40002', 'Invalid Arguments', problem, 'request not verified');
  else if (fault?.kind === 'system_error') answer = fail('40004', 'Business Failed', 'ACQ.SYSTEM_ERROR', '系统错误');
  else if (fault?.kind === 'declined') answer = fail('40006', 'Insufficient Permissions', 'isv.insufficient-isv-permissions', '应用权限不足');
  else if (fault?.kind === 'unavailable') answer = { code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' };
  else answer = call(deps, method, params);
  if (fault?.kind === 'no_fund_change') delete answer.fund_change;
  const inner = JSON.stringify(answer);
  let sign = rsa2Sign(inner, deps.alipayPrivateKey);
  if (fault?.kind === 'bad_signature') sign = `${sign.slice(0, -8)}AAAAAAA=`;
  const body = `{"${responseKey}":${inner},"sign":"${sign}"}`;
  return { status: 200, body, ...(fault?.kind === 'timeout' ? { delayMs: fault.delayMs ?? 30_000 } : {}) };
}

function call(deps: GatewayDeps, method: string, params: Record<string, string>): Answer {
  const biz = parseBiz(params.biz_content);
  if (!biz) return invalid('biz_content is not JSON');
  const appId = params.app_id!;
  if (method.startsWith('alipay.fund.trans.')) return fundCall(deps, method, appId, biz);
  if (method === 'alipay.data.dataservice.bill.downloadurl.query') {
    if (biz.bill_type !== 'trade') return invalid('bill_type must be trade');
    const issued = deps.bills.issue(appId, String(biz.bill_date ?? ''));
    return 'token' in issued ? ok({ bill_download_url: deps.billUrl(issued.token) }) : fail('40004', 'Business Failed', issued.subCode, issued.subMsg);
  }
  const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : '';
  if (!outTradeNo) return invalid('out_trade_no is required');
  const existing = deps.book.find(appId, outTradeNo);
  switch (method) {
    case 'alipay.trade.precreate':
    case 'alipay.trade.create': {
      if (!/^\d{1,10}(\.\d{1,2})?$/.test(String(biz.total_amount ?? ''))) return invalid('total_amount');
      if (method === 'alipay.trade.create' && !biz.buyer_id && !biz.buyer_open_id) return fail('40004', 'Business Failed', 'ACQ.BUYER_NOT_EXIST', '买家不存在');
      if (existing && existing.totalAmount !== String(biz.total_amount)) return fail('40004', 'Business Failed', 'ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
      if (existing && existing.state === 'TRADE_SUCCESS') return fail('40004', 'Business Failed', 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
      const trade = existing ?? deps.book.open({
        appId, outTradeNo, method, totalAmount: String(biz.total_amount), subject: String(biz.subject ?? ''),
        notifyUrl: params.notify_url ?? null, expireAtMs: parseAlipayTime(biz.time_expire),
        state: method === 'alipay.trade.precreate' ? 'NOT_SCANNED' : 'WAIT_BUYER_PAY',
        ...(typeof biz.buyer_id === 'string' ? { buyerId: biz.buyer_id } : {}),
      });
      return method === 'alipay.trade.precreate'
        ? ok({ out_trade_no: outTradeNo, qr_code: deps.qrUrl(trade) })
        : ok({ out_trade_no: outTradeNo, trade_no: trade.tradeNo });
    }
    case 'alipay.trade.query': {
      if (!existing || existing.state === 'NOT_SCANNED') return notExist();
      return ok({
        trade_no: existing.tradeNo, out_trade_no: outTradeNo, buyer_logon_id: 'emu***@example.com', trade_status: existing.state,
        total_amount: existing.totalAmount, buyer_user_id: existing.buyerId,
        ...(existing.paidAtMs !== null ? { send_pay_date: alipayTime(existing.paidAtMs), receipt_amount: existing.totalAmount } : {}),
      });
    }
    case 'alipay.trade.close': {
      if (!existing || existing.state === 'NOT_SCANNED') return notExist();
      if (existing.state === 'TRADE_SUCCESS') return fail('40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      existing.state = 'TRADE_CLOSED';
      return ok({ trade_no: existing.tradeNo, out_trade_no: outTradeNo });
    }
    case 'alipay.trade.refund': {
      if (!existing || existing.state === 'NOT_SCANNED') return notExist();
      const requestNo = String(biz.out_request_no ?? outTradeNo);
      existing.refundRequests.set(requestNo, (existing.refundRequests.get(requestNo) ?? 0) + 1);
      if (existing.state !== 'TRADE_SUCCESS') return fail('40004', 'Business Failed', 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
      const amount = String(biz.refund_amount ?? '');
      const done = existing.refunds.get(requestNo);
      if (done && done.amount !== amount) return fail('40004', 'Business Failed', 'ACQ.REQUEST_AMOUNT_EXCEED', '退款请求号已使用,金额不同');
      const refunded = [...existing.refunds.values()].reduce((n, r) => n + toFen(r.amount), 0);
      if (!done && !(toFen(amount) > 0)) return invalid('refund_amount');
      if (!done && refunded + toFen(amount) > toFen(existing.totalAmount)) return fail('40004', 'Business Failed', 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额超限');
      const r = done ?? { amount, atMs: deps.now() };
      existing.refunds.set(requestNo, r);
      return ok({ trade_no: existing.tradeNo, out_trade_no: outTradeNo, fund_change: done ? 'N' : 'Y', refund_fee: amount, gmt_refund_pay: alipayTime(r.atMs) });
    }
    case 'alipay.trade.fastpay.refund.query': {
      if (!existing) return notExist();
      const r = existing.refunds.get(String(biz.out_request_no ?? outTradeNo));
      return r ? ok({ out_trade_no: outTradeNo, out_request_no: biz.out_request_no, refund_amount: r.amount, refund_status: 'REFUND_SUCCESS', gmt_refund_pay: alipayTime(r.atMs) })
        : ok({ out_trade_no: outTradeNo });
    }
    default:
      return fail('40004', 'Business Failed', 'isv.invalid-method', `method ${method} is not emulated`);
  }
}

const PAYEE_IDENTITY_TYPES = ['ALIPAY_USER_ID', 'ALIPAY_LOGON_ID', 'BANKCARD_ACCOUNT'];

/** Payouts: alipay.fund.trans.uni.transfer (deduplicated by out_biz_no) and alipay.fund.trans.common.query. */
function fundCall(deps: GatewayDeps, method: string, appId: string, biz: Biz): Answer {
  const outBizNo = typeof biz.out_biz_no === 'string' ? biz.out_biz_no : '';
  if (!outBizNo) return invalid('out_biz_no is required');
  const existing = deps.transfers.find(appId, outBizNo);
  const answerOf = (t: NonNullable<typeof existing>) => ({
    out_biz_no: t.outBizNo, order_id: t.orderId, pay_fund_order_id: `${t.orderId}01`, status: 'SUCCESS', trans_date: alipayTime(t.atMs),
  });
  switch (method) {
    case 'alipay.fund.trans.uni.transfer': {
      const payee = (biz.payee_info ?? {}) as Record<string, unknown>;
      const amount = String(biz.trans_amount ?? '');
      if (!/^\d{1,10}(\.\d{1,2})?$/.test(amount) || !(toFen(amount) > 0)) return invalid('trans_amount');
      if (biz.biz_scene !== 'DIRECT_TRANSFER') return invalid('biz_scene');
      if (!PAYEE_IDENTITY_TYPES.includes(String(payee.identity_type))) return invalid('payee_info.identity_type');
      if (typeof payee.identity !== 'string' || !payee.identity) return invalid('payee_info.identity');
      if (existing) {
        // The same out_biz_no again: the first transfer's answer, nothing moved — unless it is another transfer.
        if (existing.amount !== amount || existing.identity !== payee.identity) return fail('40004', 'Business Failed', 'PARAM_ILLEGAL', '参数有误,同一外部单号参数不一致');
        return ok(answerOf(existing));
      }
      if (payee.identity.startsWith('missing')) return fail('40004', 'Business Failed', 'PAYEE_NOT_EXIST', '收款账号不存在');
      const made = deps.transfers.make({
        appId, outBizNo, amount, identity: payee.identity, identityType: String(payee.identity_type), name: String(payee.name ?? ''),
        productCode: String(biz.product_code ?? ''), atMs: deps.now(),
      });
      return ok(answerOf(made));
    }
    case 'alipay.fund.trans.common.query': {
      if (!existing) return fail('40004', 'Business Failed', 'ORDER_NOT_EXIST', '转账订单不存在');
      return ok({ ...answerOf(existing), trans_amount: existing.amount, pay_date: alipayTime(existing.atMs) });
    }
    default:
      return fail('40004', 'Business Failed', 'isv.invalid-method', `method ${method} is not emulated`);
  }
}
