import type { ChannelRefundRef, ChannelRefundRequest, ChannelRefundStatus } from '../../domain/channels';
import { parseCompactTime } from '../../domain/time';
import { outcomeOfResponseCode, parseResponseCode } from './codes';
import type { FormFields } from './form';
import { orderAmountField } from './messages';
import type { IpaynowAnswer } from './transport';

/**
 * IPayNow refunds (docs/ipaynow-channel.md "Refunds"): R001 asks for one, Q001 asks how it went. mhtRefundNo is our
 * refundId — IPayNow deduplicates it — and the amount is integer fen. Genuine R001/Q001 answers are signed with the
 * OLD rule (without signType), which transport.ts verifies like the NEW one.
 */
export function r001Request(req: ChannelRefundRequest, appId: string): FormFields {
  return {
    funcode: 'R001',
    version: '1.0.0',
    appId,
    mhtOrderNo: req.orderId,
    mhtRefundNo: req.refundId,
    amount: orderAmountField(req.amountFen),
    currency: '156',
    ...(req.reason ? { reason: Array.from(req.reason).slice(0, 80).join('') } : {}),
    mhtCharset: 'UTF-8',
    mhtSignType: 'MD5',
  };
}

export function q001Request(ref: ChannelRefundRef, appId: string): FormFields {
  return {
    funcode: 'Q001',
    version: '1.0.0',
    appId,
    mhtOrderNo: ref.orderId,
    mhtRefundNo: ref.refundId,
    mhtCharset: 'UTF-8',
    mhtSignType: 'MD5',
  };
}

// ── refundStatus (IPayNow 5.7) ───────────────────────────────────────────────────────────────────────────────────────
/** R000 accepted; R010 refunded; R012 in progress; R011 failed, R001 and R021–R027 refused (nothing refunded). */
const REFUSALS: Record<string, string> = {
  R011: '退货失败 refund failed', R001: '受理失败 not accepted', R021: '白名单不通过 not on the white list', R022: '渠道验证不通过 refused by the wallet',
  R023: '金额超限 amount over the limit', R024: '时间超限 past the refund period', R025: '状态非法 order not refundable',
  R026: '不支持该交易类型 not refundable for this kind of payment', R027: '总金额超限 refunds exceed the amount paid',
};

/**
 * An R001 or Q001 answer as a refund state. responseCode says whether the call worked (R000/A001 yes, A003 unknown,
 * A002 no); refundStatus says what happened to the refund. Anything we cannot read is UNKNOWN (asked again by Q001),
 * and a Q001 that finds no such refund (A002) is FAIL with notFound — which proves nothing after a lost R001.
 */
export function refundStatusOfAnswer(answer: IpaynowAnswer, funcode: 'R001' | 'Q001', nowMs: number): ChannelRefundStatus {
  if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
  const f = answer.fields;
  const code = parseResponseCode(f.responseCode ?? '');
  const outcome = code === null ? 'unknown' : outcomeOfResponseCode(code);
  const refused = f.refundStatus !== undefined ? REFUSALS[f.refundStatus] : undefined;
  if (refused) return { status: 'FAIL', reason: `ipaynow ${funcode} ${f.refundStatus} ${refused}` };
  if (outcome === 'failed' && funcode === 'Q001') return { status: 'FAIL', reason: `ipaynow Q001 ${f.responseCode}: ${f.responseMsg ?? 'no such refund'}`, notFound: true };
  if (outcome !== 'succeeded') return { status: 'UNKNOWN', reason: `ipaynow ${funcode} responseCode ${f.responseCode ?? '(missing)'}` };
  switch (f.refundStatus) {
    case 'R010': {
      if (!/^[1-9]\d{0,15}$/.test(f.amount ?? '')) return { status: 'UNKNOWN', reason: `ipaynow ${funcode} R010 without a readable amount` };
      const at = f.refundTime ? parseCompactTime(f.refundTime) : null;
      return { status: 'SUCCESS', amountFen: Number(f.amount), refundedAtMs: at ?? nowMs, ...(f.nowPayRefundNo ? { channelRefundNo: f.nowPayRefundNo } : {}) };
    }
    case 'R000':
    case 'R012':
      return { status: 'PENDING' };
    default:
      // Accepted without a state: R001 took it (a query tells the rest); a Q001 without one says nothing.
      return funcode === 'R001' && f.refundStatus === undefined
        ? { status: 'PENDING' }
        : { status: 'UNKNOWN', reason: `ipaynow ${funcode} refundStatus ${f.refundStatus ?? '(missing)'}` };
  }
}
