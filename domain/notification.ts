import type { PayStatus } from './pay-status';
import type { RefundStatus } from './refund-status';
import { formatFenAsYuan } from './money';
import { RAW_SIGN_TYPE, withSignature, type SignType } from './signing';
import { signatureHeaderValue, SIGNATURE_HEADER } from './raw-signature';

/** The fields of the merchant payment notification (merchant-api.md §2), before signing. */
export interface NotificationFields {
  mercNo: string;
  mercOrderNo: string;
  orderId: string;
  tradeType: string;
  tradeAmt: string;
  tradeTime: string;
  feeType: string;
  termType: string;
  tradeEndTime?: string;
  payStatus: PayStatus;
  bankType?: string;
  charset: 'UTF-8';
  version: '1.0';
  signType: SignType;
  locale: 'CN';
  livemode: 'true' | 'false';
  [k: string]: string | undefined;
}

export interface NotifiableOrder {
  mercNo: string;
  mercOrderNo: string;
  orderId: string;
  tradeType: string;
  amountFen: number;
  tradeTime: string;
  feeType: string;
  termType: string;
  tradeEndTime: string | null;
  bankType: string | null;
  livemode: boolean;
}

/**
 * How a notification is signed: in the order's sign type, with the merchant's keys of the order's mode that verify
 * now, oldest first. The field form signs with the oldest (the key the merchant had before a rotation, until it
 * expires); the raw-body header carries one v1 per key.
 */
export interface NotificationSigning {
  signType: SignType;
  keys: string[];
  nowMs: number;
}

/** Builds the signed notification: the JSON body, and the signature header for the raw-body sign type. */
export function buildNotification(order: NotifiableOrder, payStatus: PayStatus, signing: NotificationSigning): {
  body: Record<string, string>;
  headers: Record<string, string>;
} {
  if (signing.keys.length === 0) throw new Error(`merchant ${order.mercNo} has no ${order.livemode ? 'live' : 'test'} key that verifies now`);
  const fields: NotificationFields = {
    mercNo: order.mercNo,
    mercOrderNo: order.mercOrderNo,
    orderId: order.orderId,
    tradeType: order.tradeType,
    tradeAmt: formatFenAsYuan(order.amountFen),
    tradeTime: order.tradeTime,
    feeType: order.feeType,
    termType: order.termType,
    payStatus,
    charset: 'UTF-8',
    version: '1.0',
    signType: signing.signType,
    locale: 'CN',
    livemode: order.livemode ? 'true' : 'false',
  };
  if (order.tradeEndTime) fields.tradeEndTime = order.tradeEndTime;
  if (order.bankType) fields.bankType = order.bankType;
  return signNotification(fields, signing);
}

/** The refund a refund notification tells of (merchant-api.md "Refund notification"). */
export interface NotifiableRefund {
  mercNo: string;
  mercOrderNo: string;
  orderId: string;
  mercRefundNo: string;
  refundId: string;
  amountFen: number;
  refundEndTime: string | null;
  livemode: boolean;
}

/** Builds the signed refund notification, signed as payment notifications are; `notifyType` tells the two apart. */
export function buildRefundNotification(refund: NotifiableRefund, refundStatus: RefundStatus, signing: NotificationSigning): {
  body: Record<string, string>;
  headers: Record<string, string>;
} {
  if (signing.keys.length === 0) throw new Error(`merchant ${refund.mercNo} has no ${refund.livemode ? 'live' : 'test'} key that verifies now`);
  return signNotification({
    notifyType: 'refund',
    mercNo: refund.mercNo,
    mercOrderNo: refund.mercOrderNo,
    orderId: refund.orderId,
    mercRefundNo: refund.mercRefundNo,
    refundId: refund.refundId,
    refundAmt: formatFenAsYuan(refund.amountFen),
    refundStatus,
    ...(refund.refundEndTime ? { refundEndTime: refund.refundEndTime } : {}),
    charset: 'UTF-8',
    version: '1.0',
    signType: signing.signType,
    locale: 'CN',
    livemode: refund.livemode ? 'true' : 'false',
  }, signing);
}

/** Signs a notification body in the merchant's sign type: the raw-body header, or the `signature` field. */
function signNotification(fields: Record<string, string | undefined>, signing: NotificationSigning): {
  body: Record<string, string>;
  headers: Record<string, string>;
} {
  const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, string>;
  if (signing.signType === RAW_SIGN_TYPE) {
    return { body, headers: { [SIGNATURE_HEADER]: signatureHeaderValue(signing.keys, Math.floor(signing.nowMs / 1000), JSON.stringify(body)) } };
  }
  return { body: withSignature(body, signing.keys[0]!, signing.signType), headers: {} };
}
