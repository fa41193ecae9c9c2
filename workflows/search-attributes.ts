import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes the order workflows keep current, so operators can filter orders in the Temporal UI
 * (e.g. `MercNo = "ORG…" AND PayStatus = "p0000" AND NotifyState = "exhausted"`).
 * The local dev server registers them at start (see devstack/temporal-server.ts); a real cluster needs them created
 * once with `temporal operator search-attribute create`.
 */
export const SA = {
  mercNo: defineSearchAttributeKey('MercNo', SearchAttributeType.KEYWORD),
  mercOrderNo: defineSearchAttributeKey('MercOrderNo', SearchAttributeType.KEYWORD),
  orderId: defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD),
  payStatus: defineSearchAttributeKey('PayStatus', SearchAttributeType.KEYWORD),
  paywayCode: defineSearchAttributeKey('PaywayCode', SearchAttributeType.KEYWORD),
  channel: defineSearchAttributeKey('Channel', SearchAttributeType.KEYWORD),
  notifyState: defineSearchAttributeKey('NotifyState', SearchAttributeType.KEYWORD),
  /** Set while an order needs a person: `review:<kind>` (human queue) or `stalled:<step>` (infrastructure). */
  attention: defineSearchAttributeKey('Attention', SearchAttributeType.KEYWORD),
} as const;

/** Name → Temporal CLI type name, for `temporal server start-dev --search-attribute Name=Type`. */
export const SEARCH_ATTRIBUTE_DEFINITIONS: Record<string, 'Keyword'> = Object.fromEntries(
  Object.values(SA).map((key) => [key.name, 'Keyword' as const]),
);
