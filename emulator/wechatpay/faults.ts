/**
 * Fault switches of the WeChat Pay emulator, set by tests and the demo (POST /_emulator/faults or `emulator.faults`).
 *   api: the next `times` calls of `op` (or of any op) answer as `kind` says —
 *     system_error: HTTP 500 SYSTEM_ERROR, nothing done; timeout: done, but answered only after `delayMs`;
 *     bad_signature: a correct answer with a wrong Wechatpay-Signature.
 *     ops: native, h5, jsapi, app, query, close, refund, refund_query; `outTradeNo` narrows it to one order.
 *   notify: how payment notifications go out — missing: never sent; duplicate: two copies; lateMs: the first one
 *     waits this long; badSignature: signed wrongly (every attempt while set).
 */
export type ApiFaultKind = 'system_error' | 'timeout' | 'bad_signature';
export type ApiOp = 'native' | 'h5' | 'jsapi' | 'app' | 'query' | 'close' | 'refund' | 'refund_query' | 'tradebill';

export interface ApiFault {
  kind: ApiFaultKind;
  op?: ApiOp;
  /** Only calls about this order (its out_trade_no); any order when absent. */
  outTradeNo?: string;
  times: number;
  delayMs?: number;
}

export interface NotifyFaults {
  missing: boolean;
  duplicate: boolean;
  lateMs: number;
  badSignature: boolean;
}

export interface Faults {
  api: ApiFault[];
  notify: NotifyFaults;
}

export const noFaults = (): Faults => ({ api: [], notify: { missing: false, duplicate: false, lateMs: 0, badSignature: false } });

/** Takes one use of the first api fault for `op` (about `outTradeNo`), if any. */
export function takeApiFault(f: Faults, op: ApiOp, outTradeNo: string | undefined): ApiFault | null {
  const i = f.api.findIndex((g) => g.times > 0 && (g.op === undefined || g.op === op) && (g.outTradeNo === undefined || g.outTradeNo === outTradeNo));
  if (i < 0) return null;
  const fault = f.api[i]!;
  fault.times--;
  if (fault.times <= 0) f.api.splice(i, 1);
  return fault;
}
