import type { ApiFuncode, Faults } from './faults';
import { readForm, writeForm } from './form';
import { orderReport, responseTime, signed } from './messages';
import type { EmulatedOrder, OrderBook } from './orders';
import { emulatorCheck } from './sign';
import { dl001Statement } from './statement';
import type { StatementSeeds } from '../statement-seeds';

/** One WP001/MQ002 call the emulator received. */
export interface ApiCallRecord {
  funcode: string;
  mhtOrderNo: string;
  atMs: number;
  /** The signature rule the request matched (null: missing or wrong). */
  signRule: 'NEW' | 'OLD' | null;
  responseCode: string;
  request: Record<string, string>;
}

export interface ProtocolDeps {
  book: OrderBook;
  appKeyOf(appId: string): string | undefined;
  faults(): Faults;
  now(): number;
  /** The pay link handed out as `tn`. */
  payLink(o: EmulatedOrder): string;
  record(r: ApiCallRecord): void;
  /** What a test seeded into the daily statements (DL001). */
  seeds: StatementSeeds;
}

export interface ProtocolAnswer {
  status: number;
  body: string;
  delayMs: number;
}

const WP001_DEVICE_TYPES = ['01', '04', '06', '0600', '0601', '08'];
const SUCCESS_MSG = 'E000#成功[成功]';

/** Answers one POST to the IPayNow API address: WP001 (push an order) or MQ002 (query it). */
export function handleApiCall(text: string, d: ProtocolDeps): ProtocolAnswer {
  const req = readForm(text);
  const funcode = req.funcode ?? '';
  const f = d.faults();
  const known = (['WP001', 'MQ002', 'R001', 'Q001'] as const).find((c) => c === funcode) ?? null;
  const delayMs = known ? f.delayMs[known] : 0;
  if (known && f.http500[known]) return { status: 500, body: 'internal error (emulated)', delayMs };

  const appKey = req.appId ? d.appKeyOf(req.appId) : undefined;
  const base = { funcode, version: '1.0.0', appId: req.appId ?? '', mhtOrderNo: req.mhtOrderNo ?? '' };
  const answer = (fields: Record<string, string>): ProtocolAnswer => {
    const all: Record<string, string> = { ...base, ...fields, responseTime: responseTime(d.now()) };
    d.record({ funcode, mhtOrderNo: base.mhtOrderNo, atMs: d.now(), signRule, responseCode: all.responseCode ?? '', request: req });
    const body = appKey === undefined
      ? all // cannot sign for an unknown app
      // Genuine R001/Q001 answers are signed with the OLD rule (without signType), as IPayNow's refund gateway does.
      : signed(all, { appKey, legacy: f.legacyFormat || funcode === 'R001' || funcode === 'Q001', forge: f.badSignature.answers });
    return { status: 200, body: writeForm(body), delayMs };
  };
  const refuse = (msg: string) => answer({ responseCode: 'A002', responseMsg: msg });

  const signRule = appKey !== undefined && req.mhtSignature ? emulatorCheck(req, appKey, req.mhtSignature) : null;
  if (appKey === undefined) return refuse('appId unknown');
  if (signRule === null) return refuse('mhtSignature invalid');
  if (funcode === 'WP001') return wp001(req, d, f, answer, refuse);
  if (funcode === 'MQ002') return mq002(req, d, f, answer, refuse);
  if (funcode === 'R001') return r001(req, d, f, answer, refuse);
  if (funcode === 'Q001') return q001(req, d, f, answer, refuse);
  if (funcode === 'DL001') {
    const statement = dl001Statement(d.book, req.appId!, req.billDate ?? '', d.seeds, d.now());
    return 'problem' in statement ? refuse(statement.problem) : answer({ responseCode: 'A001', responseMsg: '', billDate: req.billDate!, ...statement });
  }
  return refuse(`funcode ${funcode || '(missing)'} is not emulated`);
}

type Answer = (fields: Record<string, string>) => ProtocolAnswer;

function wp001(req: Record<string, string>, d: ProtocolDeps, f: Faults, answer: Answer, refuse: (m: string) => ProtocolAnswer): ProtocolAnswer {
  const problem = wp001Problem(req);
  if (problem) return refuse(problem);
  const existing = d.book.get(req.mhtOrderNo!);
  let order: EmulatedOrder;
  if (existing) {
    if (existing.appId !== req.appId || existing.mhtOrderAmt !== req.mhtOrderAmt) return refuse('mhtOrderNo already used');
    order = existing; // the same push again: the same answer
  } else {
    order = d.book.add({
      appId: req.appId!, mhtOrderNo: req.mhtOrderNo!, mhtOrderName: req.mhtOrderName!, mhtOrderType: req.mhtOrderType!,
      mhtOrderAmt: req.mhtOrderAmt!, mhtOrderTimeOut: Number(req.mhtOrderTimeOut ?? '3600'),
      mhtOrderStartTime: req.mhtOrderStartTime!, notifyUrl: req.notifyUrl!, deviceType: req.deviceType!,
      payChannelType: req.payChannelType ?? '',
      ...(req.mhtReserved ? { mhtReserved: req.mhtReserved } : {}),
      ...(req.mhtSubMchId ? { mhtSubMchId: req.mhtSubMchId } : {}),
    });
  }
  if (f.unknownResult.WP001) return answer({ responseCode: 'A003', responseMsg: 'result unknown (emulated)' });
  return answer({ responseCode: 'A001', responseMsg: SUCCESS_MSG, nowPayOrderNo: order.nowPayOrderNo, tn: d.payLink(order) });
}

function wp001Problem(r: Record<string, string>): string | null {
  const need = ['mhtOrderNo', 'mhtOrderName', 'mhtOrderType', 'mhtCurrencyType', 'mhtOrderAmt', 'mhtOrderStartTime', 'notifyUrl',
    'mhtCharset', 'deviceType', 'outputType'];
  const missing = need.find((k) => !r[k]);
  if (missing) return `${missing} is required`;
  if (!/^[\x21-\x7e]{1,40}$/.test(r.mhtOrderNo!)) return 'mhtOrderNo must be 1-40 visible ASCII characters';
  if (!['01', '05'].includes(r.mhtOrderType!)) return 'mhtOrderType must be 01 or 05';
  if (r.mhtCurrencyType !== '156') return 'mhtCurrencyType must be 156';
  if (!/^[1-9]\d{0,11}$/.test(r.mhtOrderAmt!)) return 'mhtOrderAmt must be a positive whole number of fen';
  if (r.mhtOrderTimeOut !== undefined) {
    const t = Number(r.mhtOrderTimeOut);
    if (!/^\d+$/.test(r.mhtOrderTimeOut) || t < 60 || t > 3600) return 'mhtOrderTimeOut must be 60-3600 seconds';
  }
  if (!/^\d{14}$/.test(r.mhtOrderStartTime!)) return 'mhtOrderStartTime must be yyyyMMddHHmmss';
  if (!/^https?:\/\//.test(r.notifyUrl!)) return 'notifyUrl must be an http(s) URL';
  if (r.mhtCharset !== 'UTF-8') return 'mhtCharset must be UTF-8';
  if (!WP001_DEVICE_TYPES.includes(r.deviceType!)) return `deviceType ${r.deviceType} is not offered by WP001`;
  if (r.outputType !== '0') return 'only outputType 0 (pay credential in tn) is emulated';
  return null;
}

function mq002(req: Record<string, string>, d: ProtocolDeps, f: Faults, answer: Answer, refuse: (m: string) => ProtocolAnswer): ProtocolAnswer {
  if (!req.mhtOrderNo) return refuse('mhtOrderNo is required');
  const order = d.book.get(req.mhtOrderNo);
  if (!order || order.appId !== req.appId) return refuse('order does not exist');
  if (f.unknownResult.MQ002) return answer({ responseCode: 'A003', responseMsg: 'result unknown (emulated)' });
  return answer({ ...orderReport(order, d.book.statusOf(order)), responseCode: 'A001', responseMsg: SUCCESS_MSG });
}

/** R001: refunds a paid order, at once (R010). The same mhtRefundNo again answers the refund it made. */
function r001(req: Record<string, string>, d: ProtocolDeps, f: Faults, answer: Answer, refuse: (m: string) => ProtocolAnswer): ProtocolAnswer {
  const order = req.mhtOrderNo ? d.book.get(req.mhtOrderNo) : undefined;
  if (!order || order.appId !== req.appId) return refuse('order does not exist');
  if (!req.mhtRefundNo || !/^[\x21-\x7e]{1,40}$/.test(req.mhtRefundNo)) return refuse('mhtRefundNo must be 1-40 visible ASCII characters');
  if (!/^[1-9]\d{0,11}$/.test(req.amount ?? '')) return refuse('amount must be a positive whole number of fen');
  const amountFen = Number(req.amount);
  const done = order.refunds.get(req.mhtRefundNo);
  const refused = (refundStatus: string, msg: string) => answer({ responseCode: 'A002', responseMsg: msg, mhtRefundNo: req.mhtRefundNo!, refundStatus });
  if (done && done.amountFen !== amountFen) return refused('R025', 'mhtRefundNo already used with another amount');
  if (!done) {
    if (d.book.statusOf(order) !== 'A001') return refused('R025', 'the order is not paid');
    const refunded = [...order.refunds.values()].reduce((n, r) => n + r.amountFen, 0);
    if (refunded + amountFen > Number(order.mhtOrderAmt)) return refused('R027', 'refunds would exceed the amount paid');
    order.refunds.set(req.mhtRefundNo, { amountFen, atMs: d.now(), nowPayRefundNo: `NR${order.nowPayOrderNo}${order.refunds.size + 1}` });
  }
  if (f.unknownResult.R001) return answer({ responseCode: 'A003', responseMsg: 'result unknown (emulated)' });
  return answer(refundReport(order, req.mhtRefundNo, 'R000'));
}

/** Q001: a refund by mhtRefundNo; A002 when there is none. */
function q001(req: Record<string, string>, d: ProtocolDeps, f: Faults, answer: Answer, refuse: (m: string) => ProtocolAnswer): ProtocolAnswer {
  const order = req.mhtOrderNo ? d.book.get(req.mhtOrderNo) : undefined;
  if (!order || order.appId !== req.appId) return refuse('order does not exist');
  if (!req.mhtRefundNo || !order.refunds.has(req.mhtRefundNo)) return refuse('refund does not exist');
  if (f.unknownResult.Q001) return answer({ responseCode: 'A003', responseMsg: 'result unknown (emulated)' });
  return answer(refundReport(order, req.mhtRefundNo, 'A001'));
}

function refundReport(order: EmulatedOrder, mhtRefundNo: string, responseCode: string): Record<string, string> {
  const r = order.refunds.get(mhtRefundNo)!;
  return {
    responseCode, responseMsg: SUCCESS_MSG, mhtRefundNo, nowPayOrderNo: order.nowPayOrderNo, nowPayRefundNo: r.nowPayRefundNo,
    amount: String(r.amountFen), refundStatus: 'R010', refundTime: responseTime(r.atMs),
  };
}
