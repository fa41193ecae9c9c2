import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from '../api/context';
import { findMerchant } from '../db/merchants';
import type { OrderRecord } from '../db/orders';
import { lateReportWorkflowId } from '../domain/order';
import { channelReportSignal, type ChannelReport } from '../workflows/definitions';
import type { lateReportWorkflow } from '../workflows/late-report';
import { SA } from '../workflows/search-attributes';

/**
 * Hands a channel's report (a callback, or a poll result from the workers' poller) to the order's workflow. If that
 * workflow has already closed, a payment is handed to a follow-up workflow (one per order) that applies the late
 * payment and notifies the merchant.
 * Safe to call repeatedly for the same report.
 */
export async function deliverChannelReport(
  ctx: Pick<ApiContext, 'temporal' | 'pool' | 'config'>,
  order: Pick<OrderRecord, 'workflowId' | 'mercNo' | 'mercOrderNo' | 'orderId' | 'channel' | 'amountFen'>,
  report: ChannelReport,
): Promise<'workflow' | 'follow-up' | 'ignored'> {
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
