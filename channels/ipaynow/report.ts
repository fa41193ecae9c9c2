import type { ChannelStatus } from '../../domain/channels';
import { parseCompactTime } from '../../domain/time';
import { failReasonOfTransStatus, meaningOfTransStatus, parseTransStatus } from './codes';
import type { FormFields } from './form';

/** The order a message must be about. */
export interface ExpectedOrder {
  orderId: string;
  amountFen: number;
}

/** transStatus, or tradeStatus in the bodies IPayNow sent in 2016–17. */
export const transStatusField = (fields: FormFields): string | undefined => fields.transStatus ?? fields.tradeStatus;

/**
 * What a verified order message (an MQ002 answer or an N001 notification) says about our order. A payment must be
 * for our order and our amount: anything else is UNKNOWN (never taken as paid, never as failed).
 */
export function statusOfOrderMessage(fields: FormFields, expected: ExpectedOrder, nowMs: number): ChannelStatus {
  if (fields.mhtOrderNo !== expected.orderId) return { status: 'UNKNOWN', reason: 'ipaynow message is about another order' };
  const raw = transStatusField(fields);
  const code = raw === undefined ? null : parseTransStatus(raw);
  if (code === null) return { status: 'UNKNOWN', reason: `ipaynow transStatus ${raw ?? '(missing)'} is not one we know` };
  switch (meaningOfTransStatus(code)) {
    case 'paid': {
      // The amount taken is reported as it is: the order's workflow compares it with the order and sends a
      // mismatch to the human queue. An amount we cannot read is not news of a payment we can act on.
      const amountFen = /^[1-9]\d{0,15}$/.test(fields.mhtOrderAmt ?? '') ? Number(fields.mhtOrderAmt) : null;
      if (amountFen === null || !Number.isSafeInteger(amountFen)) {
        return { status: 'UNKNOWN', reason: `ipaynow reports payment of unreadable mhtOrderAmt ${fields.mhtOrderAmt ?? '(missing)'}` };
      }
      const paidAtMs = (fields.payTime ? parseCompactTime(fields.payTime) : null) ?? nowMs;
      return {
        status: 'SUCCESS',
        paidAtMs,
        amountFen,
        ...(fields.nowPayOrderNo ? { channelOrderNo: fields.nowPayOrderNo } : {}),
        ...(fields.bankType ? { bankType: fields.bankType } : {}),
      };
    }
    case 'failed':
      return { status: 'FAIL', reason: failReasonOfTransStatus(code) };
    case 'waiting':
      return { status: 'PENDING' };
    case 'unknown':
      return { status: 'UNKNOWN', reason: `ipaynow ${code}: result unknown` };
  }
}
