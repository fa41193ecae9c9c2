import { z } from 'zod';
import { optionalOrderNo } from './fields';
import { ApiError } from '../../domain/errors';
import { firstIssue, refuseUnknownFields } from './issues';

/** Payment query / close: by mercOrderNo or orderId (merchant-api.md §3). */
export const OrderRefSchema = z.object({
  mercOrderNo: optionalOrderNo(32),
  orderId: optionalOrderNo(32),
});

/** For the document: one of mercOrderNo and orderId, not empty (parseOrderRef). */
export const ORDER_REF_RULES = [{
  description: 'mercOrderNo or orderId (at least one, not empty)',
  anyOf: ['mercOrderNo', 'orderId'].map((f) => ({ required: [f], properties: { [f]: { minLength: 1 } } })),
}];

export type OrderRef = { mercOrderNo: string } | { orderId: string };

export function parseOrderRef(body: Record<string, unknown>): OrderRef {
  refuseUnknownFields(body, OrderRefSchema);
  const parsed = OrderRefSchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error);
  if (parsed.data.mercOrderNo) return { mercOrderNo: parsed.data.mercOrderNo };
  if (parsed.data.orderId) return { orderId: parsed.data.orderId };
  throw ApiError.invalidField('mercOrderNo', 'or orderId is required');
}
