import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelName, ChannelStatus } from '../channels/types';
import type { OrderDraft, OrderStateView, PayAnswer } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';

/** Timing of one order; an input so that tests run the same workflow at millisecond scale. */
export interface OrderTiming {
  /** Notification retry delays after the first attempt. */
  notifyRetryScheduleMs: number[];
}

export interface OrderWorkflowInput {
  draft: OrderDraft;
  /** Fingerprint of the merchant's request parameters: a repeat must match it. */
  requestHash: string;
  channel: ChannelName;
  timing: OrderTiming;
  /** Final states the merchant is notified of (p0000 always). */
  notifyStatuses: PayStatus[];
}

/** A channel's report about an order reaching the workflow (callback or a poll result). */
export interface ChannelReport {
  source: 'callback' | 'poll' | 'expiry';
  result: ChannelStatus;
}

export type CreateOrderAnswer = PayAnswer | { kind: 'conflict' };

/** The outcome of a merchant's close request. */
export type CloseAnswer =
  | { kind: 'closed'; payStatus: PayStatus }
  | { kind: 'not-allowed'; payStatus: PayStatus }
  | { kind: 'unknown'; payStatus: PayStatus; reason: string };

/** Support's controls over an order's pending notification. */
export type NotifyControl =
  | { action: 'replay' }
  | { action: 'pause' }
  | { action: 'resume' }
  | { action: 'redirect'; url: string };

/** Unified order: answered with the pay credential once the channel has the order (update-with-start). */
export const createOrderUpdate = defineUpdate<CreateOrderAnswer, [{ requestHash: string }]>('createOrder');
/** Merchant close: cancels an unpaid order once the channel confirms. */
export const closeOrderUpdate = defineUpdate<CloseAnswer, []>('closeOrder');
/** A channel callback (deduplicated by the workflow: a final order ignores repeats). */
export const channelReportSignal = defineSignal<[ChannelReport]>('channelReport');
/** Support: replay now, pause, resume or redirect the pending notification. */
export const notifyControlSignal = defineSignal<[NotifyControl]>('notifyControl');
/** The order's current state. */
export const orderStateQuery = defineQuery<OrderStateView>('orderState');

/** Input of the follow-up workflow for a channel report that arrives after the order's workflow has closed. */
export interface LateReportInput {
  orderId: string;
  report: ChannelReport;
  notifyRetryScheduleMs: number[];
}

/** Input of the one-attempt notification workflow that replays a closed order's notification. */
export interface NotificationReplayInput {
  orderId: string;
  payStatus: PayStatus;
  url?: string;
}
