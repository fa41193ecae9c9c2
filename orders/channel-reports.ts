import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from '../api/context';
import { findMerchant } from '../db/merchants';
import { findOrderById, type OrderRecord } from '../db/orders';
import { lateReportWorkflowId } from '../domain/order';
import { channelReportSignal, type ChannelReport } from '../workflows/definitions';
import type { lateReportWorkflow } from '../workflows/late-report';
import { SA } from '../workflows/search-attributes';

/**
 * Hands a channel's report (a callback, or a poll result from the workers' poller) to the order's workflow. If that
 * workflow has already closed, a payment is handed to a follow-up workflow (one per order) that applies the late
 * payment and notifies the merchant.
 * Safe to call repeatedly for the same report: the order workflow ignores a result once it is final (a repeated
 * SUCCESS of a paid order changes nothing), and the follow-up's id is one per order (a running one is reused, a
 * finished one is not started again).
 * Bounded: Temporal calls give up after CHANNEL_REPORT_TIMEOUT (the client would otherwise retry for about 20 s), and
 * the error is thrown so that the caller tells its channel to send the report again, or retries it from its outbox.
 */
export async function deliverChannelReport(
  ctx: Pick<ApiContext, 'temporal' | 'pool' | 'config'>,
  order: Pick<OrderRecord, 'workflowId' | 'mercNo' | 'mercOrderNo' | 'orderId' | 'channel' | 'amountFen'>,
  report: ChannelReport,
): Promise<HandedTo> {
  return ctx.temporal.withDeadline(Date.now() + ctx.config.channels.reportTimeoutMs, () => handOver(ctx, order, report));
}

export type HandedTo = 'workflow' | 'follow-up' | 'ignored';

/** deliverChannelReport for an order known by its id; 'no-order' when the read model has no such order. */
export async function deliverChannelReportById(
  ctx: Pick<ApiContext, 'temporal' | 'pool' | 'config'>,
  orderId: string,
  report: ChannelReport,
): Promise<HandedTo | 'no-order'> {
  const order = await findOrderById(ctx.pool, orderId);
  return order ? deliverChannelReport(ctx, order, report) : 'no-order';
}

async function handOver(
  ctx: Pick<ApiContext, 'temporal' | 'pool' | 'config'>,
  order: Pick<OrderRecord, 'workflowId' | 'mercNo' | 'mercOrderNo' | 'orderId' | 'channel' | 'amountFen'>,
  report: ChannelReport,
): Promise<HandedTo> {
  try {
    await ctx.temporal.workflow.getHandle(order.workflowId).signal(channelReportSignal, report);
    return 'workflow';
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  if (report.result.status !== 'SUCCESS') return 'ignored';
  const merchant = await findMerchant(ctx.pool, order.mercNo);
  try {
    await ctx.temporal.workflow.start<typeof lateReportWorkflow>('lateReportWorkflow', {
      workflowId: lateReportWorkflowId(order.mercNo, order.mercOrderNo),
      taskQueue: ctx.config.temporal.taskQueue,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [{
        orderId: order.orderId,
        amountFen: order.amountFen,
        report,
        notifyRetryScheduleMs: merchant?.notifyScheduleMs ?? ctx.config.notify.retryScheduleMs,
      }],
      typedSearchAttributes: [
        { key: SA.mercNo, value: order.mercNo },
        { key: SA.mercOrderNo, value: order.mercOrderNo },
        { key: SA.orderId, value: order.orderId },
        { key: SA.channel, value: order.channel },
      ],
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  return 'follow-up';
}
