import { z } from 'zod';
import { emptyToUndefined, jsonSchema, optional, optionalHttpUrl, optionalOrderNo, orderNo, POSITIVE_YUAN_PATTERN, text } from './fields';
import { ORDER_REF_RULES, type OrderRef } from './query';
import { firstIssue, refuseUnknownFields } from './issues';
import { ApiError } from '../../domain/errors';
import { parseYuanToFen } from '../../domain/money';

/** Refund request (interfaceCode `refund`, merchant-api.md "Refunds"): the order, the merchant's refund number, the amount. */
export const RefundRequestSchema = z.object({
  mercOrderNo: optionalOrderNo(32),
  orderId: optionalOrderNo(32),
  mercRefundNo: z.preprocess(emptyToUndefined, orderNo(32)),
  refundAmt: z.preprocess(emptyToUndefined, text(12)).meta(jsonSchema({ pattern: POSITIVE_YUAN_PATTERN })),
  reason: optional(80),
  notifyUrl: optionalHttpUrl(200),
});
/** For the document: the order is named by mercOrderNo or orderId. */
export const REFUND_REQUEST_RULES = ORDER_REF_RULES;

/** Refund query (interfaceCode `refundQuery`): by mercRefundNo or refundId. */
export const RefundRefSchema = z.object({
  mercRefundNo: optionalOrderNo(32),
  refundId: optionalOrderNo(32),
});
export const REFUND_REF_RULES = [{
  description: 'mercRefundNo or refundId (at least one, not empty)',
  anyOf: ['mercRefundNo', 'refundId'].map((f) => ({ required: [f], properties: { [f]: { minLength: 1 } } })),
}];

export interface RefundRequest {
  order: OrderRef;
  mercRefundNo: string;
  amountFen: number;
  reason?: string;
  notifyUrl?: string;
}

export function parseRefundRequest(body: Record<string, unknown>): RefundRequest {
  refuseUnknownFields(body, RefundRequestSchema);
  const parsed = RefundRequestSchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error);
  const r = parsed.data;
  const amount = parseYuanToFen(r.refundAmt);
  if (!amount.ok) throw ApiError.invalidField('refundAmt', amount.rule);
  const order: OrderRef | null = r.mercOrderNo ? { mercOrderNo: r.mercOrderNo } : r.orderId ? { orderId: r.orderId } : null;
  if (!order) throw ApiError.invalidField('mercOrderNo', 'or orderId is required');
  return {
    order, mercRefundNo: r.mercRefundNo, amountFen: amount.fen,
    ...(r.reason ? { reason: r.reason } : {}), ...(r.notifyUrl ? { notifyUrl: r.notifyUrl } : {}),
  };
}

export type RefundRef = { mercRefundNo: string } | { refundId: string };

export function parseRefundRef(body: Record<string, unknown>): RefundRef {
  refuseUnknownFields(body, RefundRefSchema);
  const parsed = RefundRefSchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error);
  if (parsed.data.mercRefundNo) return { mercRefundNo: parsed.data.mercRefundNo };
  if (parsed.data.refundId) return { refundId: parsed.data.refundId };
  throw ApiError.invalidField('mercRefundNo', 'or refundId is required');
}

