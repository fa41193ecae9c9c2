import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChannelName, ChannelStatus } from '../channels/types';
import type { OrderDraft, OrderStateView, PayAnswer } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';

/** Timing of one order; an input so that tests run the same workflow at millisecond scale. */
export interface OrderTiming {
  /** Channel polling backoff; the last delay repeats. */
  pollScheduleMs: number[];
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

/** Unified order: answered with the pay credential once the channel has the order (update-with-start). */
export const createOrderUpdate = defineUpdate<CreateOrderAnswer, [{ requestHash: string }]>('createOrder');
/** A channel callback (deduplicated by the workflow: a final order ignores repeats). */
export const channelReportSignal = defineSignal<[ChannelReport]>('channelReport');
/** The order's current state. */
export const orderStateQuery = defineQuery<OrderStateView>('orderState');

/** Input of the follow-up workflow for a channel report that arrives after the order's workflow has closed. */
export interface LateReportInput {
  orderId: string;
  report: ChannelReport;
  notifyRetryScheduleMs: number[];
}
