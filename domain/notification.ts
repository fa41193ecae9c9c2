import type { PayStatus } from './pay-status';
import { formatFenAsYuan } from './money';
import { withSignature, type SignType } from './signing';

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
}

/** Builds the signed notification body for an order in `payStatus`. */
export function buildNotification(order: NotifiableOrder, payStatus: PayStatus, key: string, signType: SignType) {
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
    signType,
    locale: 'CN',
  };
  if (order.tradeEndTime) fields.tradeEndTime = order.tradeEndTime;
  if (order.bankType) fields.bankType = order.bankType;
  return withSignature(fields, key, signType);
}
