import type { OrderRecord } from '../db/orders';
import type { RefundRecord } from '../db/refunds';
import { formatFenAsYuan } from '../domain/money';
import { formatCompactTime } from '../domain/time';

/** The fields of a refund in the refund and refund-query answers (merchant-api.md "Refunds"). */
export function refundFields(r: RefundRecord, order: Pick<OrderRecord, 'mercOrderNo'>): Record<string, string | undefined> {
  return {
    mercOrderNo: order.mercOrderNo,
    orderId: r.orderId,
    mercRefundNo: r.mercRefundNo,
    refundId: r.refundId,
    refundAmt: formatFenAsYuan(r.amountFen),
    refundStatus: r.refundStatus,
    refundTime: formatCompactTime(r.createdAtMs),
    refundEndTime: r.refundEndTime ?? undefined,
    failReason: r.failReason ?? undefined,
    notifyState: r.notifyState,
  };
}

/** An order's refunds in the payment query answer: a JSON array (a string, as every answer field is). */
export function refundsSummary(refunds: RefundRecord[]): string {
  return JSON.stringify(refunds.map((r) => ({
    mercRefundNo: r.mercRefundNo, refundId: r.refundId, refundAmt: formatFenAsYuan(r.amountFen), refundStatus: r.refundStatus,
    ...(r.refundEndTime ? { refundEndTime: r.refundEndTime } : {}),
  })));
}
