import { z } from 'zod';
import { emptyToUndefined, orderNo } from './fields';
import { ApiError } from '../../domain/errors';
import { firstIssue, refuseUnknownFields } from './issues';

/** Payment query / close: by mercOrderNo or orderId (merchant-api.md §3). */
export const OrderRefSchema = z.object({
  mercOrderNo: z.preprocess(emptyToUndefined, orderNo(32).optional()),
  orderId: z.preprocess(emptyToUndefined, orderNo(32).optional()),
});

export type OrderRef = { mercOrderNo: string } | { orderId: string };

export function parseOrderRef(body: Record<string, unknown>): OrderRef {
  refuseUnknownFields(body, OrderRefSchema);
  const parsed = OrderRefSchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error);
  if (parsed.data.mercOrderNo) return { mercOrderNo: parsed.data.mercOrderNo };
  if (parsed.data.orderId) return { orderId: parsed.data.orderId };
  throw ApiError.invalidField('mercOrderNo', 'or orderId is required');
}
