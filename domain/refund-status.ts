/**
 * refundStatus codes (merchant-api.md "Refunds"), in the style of payStatus. Pure: safe in workflow code.
 *   r0001 submitted: accepted, its amount held against the order's refundable balance, not yet at the channel;
 *   r0002 processing: asked of the channel, its answer not final (or unknown: settled by refund queries);
 *   r0000 success: the channel refunded it (final);
 *   r0003 failed: the channel refused it, nothing was refunded; its amount is refundable again (final).
 */
export const RefundStatus = {
  SUBMITTED: 'r0001',
  PROCESSING: 'r0002',
  SUCCESS: 'r0000',
  FAILED: 'r0003',
} as const;
export type RefundStatus = (typeof RefundStatus)[keyof typeof RefundStatus];

export const REFUND_STATUSES: readonly RefundStatus[] = Object.values(RefundStatus);
export const REFUND_STATUS_NAMES: Record<RefundStatus, string> = {
  r0001: 'submitted', r0002: 'processing', r0000: 'success', r0003: 'failed',
};

/** The one transition table of a refund: from each status, the statuses it may move to. Final ones move nowhere. */
export const REFUND_TRANSITIONS: Record<RefundStatus, readonly RefundStatus[]> = {
  r0001: [RefundStatus.PROCESSING, RefundStatus.SUCCESS, RefundStatus.FAILED],
  r0002: [RefundStatus.SUCCESS, RefundStatus.FAILED],
  r0000: [],
  r0003: [],
};

export const isFinalRefundStatus = (s: RefundStatus): boolean => REFUND_TRANSITIONS[s].length === 0;

/** The statuses a refund may be in before moving to `to` (the guard of the read-model write). */
export const refundSourcesOf = (to: RefundStatus): RefundStatus[] =>
  REFUND_STATUSES.filter((from) => REFUND_TRANSITIONS[from].includes(to));

/** Workflow id of a refund: one per merchant refund number. */
export const refundWorkflowId = (mercNo: string, mercRefundNo: string) => `refund:${mercNo}:${mercRefundNo}`;

/** The notification id of a refund in one final state (X-Notify-Id). */
/** What a person decides about a refund in the human queue (support resolve). */
export const REFUND_REVIEW_DECISIONS = ['refunded', 'not_refunded'] as const;

export const refundNotifyIdOf = (refundId: string, status: RefundStatus) => `${refundId}-${status}`;
