import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelName, ChannelStatus } from '../domain/channels';
import type { OrderDraft, OrderStateView, PayAnswer } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';
import type { RefundStatus } from '../domain/refund-status';
import type { ReviewDecision } from '../domain/order-transitions';
import type { Payee, PayoutApprovalDecision } from '../domain/payout';

/** Timing of one order; an input so that tests run the same workflow at millisecond scale. */
export interface OrderTiming {
  /** Notification retry delays after the first attempt. */
  notifyRetryScheduleMs: number[];
  /** An unknown channel result at expiry is asked again after each delay (the last repeats). */
  unknownRetryScheduleMs?: number[];
  /** Unknown for this long → the order goes to the human queue (it keeps being asked meanwhile). */
  escalateAfterMs?: number;
  /** How a step whose activity keeps failing is bounded and escalated (defaults in workflows/activity-options.ts). */
  stall?: StallPolicy;
}

export interface StallPolicy {
  /** Attempts of one activity before the step counts as stalled. */
  maxAttempts: number;
  /** A stalled step is tried again after this long (escalated meanwhile). */
  retryAfterMs: number;
}

export interface OrderWorkflowInput {
  /**
   * The platform order number, assigned by the API before the start: a workflow task that runs again (a crashed
   * worker, a replay, a reset) must yield the same order, so the id is input, never computed from the task's clock.
   */
  orderId: string;
  draft: OrderDraft;
  /** Fingerprint of the merchant's request parameters: a repeat must match it. */
  requestHash: string;
  /** The channel tried first (routing: channels/registry.ts routeChannels). */
  channel: ChannelName;
  /**
   * The channels that take the order over, in this order, when the one before refuses its create definitively or
   * its circuit is open (behind patched('channel-failover')). Absent = none.
   */
  fallbackChannels?: ChannelName[];
  timing: OrderTiming;
  /** Final states the merchant is notified of (p0000 always). */
  notifyStatuses: PayStatus[];
}

/** A channel's report about an order reaching the workflow (callback or a poll result). */
export interface ChannelReport {
  /** `reconciliation`: the channel's daily statement lists the payment (workflows/reconciliation.ts). */
  source: 'callback' | 'poll' | 'expiry' | 'reconciliation';
  /** The channel that reported (absent in reports sent before failover existed): a report of a channel the order has left settles nothing unless it is a payment. */
  channel?: ChannelName;
  result: ChannelStatus;
}

export type CreateOrderAnswer = PayAnswer | { kind: 'conflict' };

/** The outcome of a merchant's close request. */
export type CloseAnswer =
  | { kind: 'closed'; payStatus: PayStatus }
  | { kind: 'not-allowed'; payStatus: PayStatus }
  | { kind: 'unknown'; payStatus: PayStatus; reason: string };

/** A person's decision on an order in the human queue (support `resolve`). */
export interface ReviewResolution {
  decision: ReviewDecision;
  reason: string;
  /** Who decided (the support operator), recorded in the audit trail. */
  actor: string;
}
/** The decision was applied by the workflow (the read model has the order's status after it). */
export type ResolveAnswer = { applied: true };

/** Support's controls over an order's pending notification. */
export type NotifyControl =
  | { action: 'replay' }
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'redirect'; url: string }
  /** Support resumed the merchant's paused notify endpoint: a notification held by it attempts at once. */
  | { action: 'endpoint-resume' };

/** Unified order: answered with the pay credential once the channel has the order (update-with-start). */
export const createOrderUpdate = defineUpdate<CreateOrderAnswer, [{ requestHash: string }]>('createOrder');
/** Merchant close: cancels an unpaid order once the channel confirms. */
export const closeOrderUpdate = defineUpdate<CloseAnswer, []>('closeOrder');
/** A channel callback (deduplicated by the workflow: a final order ignores repeats). */
export const channelReportSignal = defineSignal<[ChannelReport]>('channelReport');
/** Support: replay now, pause, resume or redirect the pending notification. */
export const notifyControlSignal = defineSignal<[NotifyControl]>('notifyControl');
/** Support: applies a person's decision on an order waiting in the human queue; answers the order's status after it. */
export const resolveReviewUpdate = defineUpdate<ResolveAnswer, [ReviewResolution]>('resolveReview');
/** The order's current state. */
export const orderStateQuery = defineQuery<OrderStateView>('orderState');

/** Input of the follow-up workflow for a channel report that arrives after the order's workflow has closed. */
export interface LateReportInput {
  orderId: string;
  /** The order's amount: a late payment of another amount goes to the human queue. */
  amountFen?: number;
  report: ChannelReport;
  notifyRetryScheduleMs: number[];
}

/** Input of the one-attempt notification workflow that replays a closed order's notification. */
export interface NotificationReplayInput {
  orderId: string;
  /** The order's payStatus, or with refundId the refund's refundStatus. */
  payStatus: PayStatus | RefundStatus;
  /** A refund's notification (its refund workflow has closed). */
  refundId?: string;
  url?: string;
}

/** Timing of one refund; an input so that tests run the same workflow at millisecond scale. */
export interface RefundTiming {
  /** Notification retry delays after the first attempt (the merchant's payment schedule). */
  notifyRetryScheduleMs: number[];
  /** A refund not final at the channel (pending or unknown) is queried after each delay (the last repeats). */
  queryScheduleMs: number[];
  /** Not final for this long → the refund goes to the human queue (it keeps being queried meanwhile). */
  escalateAfterMs: number;
  stall?: StallPolicy;
}

/** One refund, as the API accepted it (its amount already held against the order's refundable balance). */
export interface RefundWorkflowInput {
  refundId: string;
  mercNo: string;
  mercRefundNo: string;
  orderId: string;
  channel: ChannelName;
  channelOrderNo?: string;
  amountFen: number;
  reason?: string;
  timing: RefundTiming;
}

/** The refund's state as its workflow sees it (refundStateQuery). */
export interface RefundStateView {
  refundId: string;
  orderId: string;
  refundStatus: RefundStatus;
  /** In the human queue: the channel has not settled it for escalateAfterMs. */
  review?: { reason: string };
  notify: OrderStateView['notify'];
}

export const refundStateQuery = defineQuery<RefundStateView>('refundState');

/** A person's decision on a refund in the human queue: the channel did refund it, or did not (support resolve). */
export interface RefundResolution {
  decision: 'refunded' | 'not_refunded';
  reason: string;
  actor: string;
}
/**
 * A channel says this refund changed (a verified refund callback, e.g. WeChat Pay REFUND.*): the refund workflow asks
 * the channel now (a refund query with the same number) instead of at its next scheduled query. The callback's own
 * content is not applied: the query's answer is.
 */
export const refundCheckSignal = defineSignal('refundCheck');
/** Support: settles a refund waiting in the human queue; answered once the refund workflow has applied it. */
export const resolveRefundUpdate = defineUpdate<ResolveAnswer, [RefundResolution]>('resolveRefund');

/** Timing of one payout; an input so that tests run the same workflow at millisecond scale. */
export interface PayoutTiming {
  /** Notification retry delays after the first attempt (the merchant's payment schedule). */
  notifyRetryScheduleMs: number[];
  /** A transfer not final at the channel (pending or unknown) is queried after each delay (the last repeats). */
  queryScheduleMs: number[];
  /** Not final for this long → the payout goes to the human queue (it keeps being queried meanwhile). */
  escalateAfterMs: number;
  /** The one transfer call counts as lost after this (PAYOUT_TRANSFER_TIMEOUT). */
  transferTimeoutMs: number;
  stall?: StallPolicy;
}

/** One payout (tradeType 02/03) as the API accepted it: its order row written and its amount reserved on the day's limit. */
export interface PayoutWorkflowInput {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  tradeType: string;
  channel: ChannelName;
  amountFen: number;
  payee: Payee;
  title: string;
  /** Waits for a support operator's approval (merchants.payout_approval_required) before anything is sent. */
  approvalRequired: boolean;
  timing: PayoutTiming;
  /** Final states the merchant is notified of (p0000 always). */
  notifyStatuses: PayStatus[];
}

/** A support operator's decision on a payout waiting for approval. */
export interface PayoutApproval {
  decision: PayoutApprovalDecision;
  reason: string;
  actor: string;
}

/** Support: approves or rejects a payout waiting for approval; answered once the payout's workflow has recorded it. */
export const payoutApprovalUpdate = defineUpdate<ResolveAnswer, [PayoutApproval]>('payoutApproval');
