import { WorkflowNotFoundError } from '@temporalio/client';
import type { ApiContext } from '../api/context';
import { findRefundById } from '../db/refunds';
import { refundCheckSignal } from '../workflows/definitions';

export type RefundReportHandedTo = 'handed to its workflow' | 'workflow closed: recorded' | 'unknown refund' | 'unreachable';

/**
 * A channel's verified news about a refund of `orderId` (a WeChat Pay REFUND.* callback): the refund's workflow is
 * told to ask the channel now (refundCheckSignal); the refund query's answer settles the refund, never the callback's
 * body. A refund we do not know (or of another order), or one whose workflow has ended, needs nothing; 'unreachable'
 * (Temporal down) means the channel should send it again.
 */
export async function deliverChannelRefundReport(
  ctx: Pick<ApiContext, 'temporal' | 'pool' | 'config'>, orderId: string, refundId: string,
): Promise<RefundReportHandedTo> {
  const refund = await findRefundById(ctx.pool, refundId);
  if (!refund || refund.orderId !== orderId) return 'unknown refund';
  try {
    await ctx.temporal.withDeadline(Date.now() + ctx.config.channels.reportTimeoutMs,
      () => ctx.temporal.workflow.getHandle(refund.workflowId).signal(refundCheckSignal));
    return 'handed to its workflow';
  } catch (err) {
    return err instanceof WorkflowNotFoundError ? 'workflow closed: recorded' : 'unreachable';
  }
}
