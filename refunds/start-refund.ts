import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { OrderRecord } from '../db/orders';
import type { RefundRecord } from '../db/refunds';
import { isChannelName } from '../domain/channels';
import type { RefundWorkflowInput } from '../workflows/definitions';
import type { refundWorkflow } from '../workflows/refund';

export interface RefundStartDeps {
  temporal: Client;
  config: Pick<AppConfig, 'temporal' | 'refunds' | 'notify'>;
}

/**
 * Starts a recorded refund's workflow (id `refund:<mercNo>:<mercRefundNo>`, the refund's workflowId). Idempotent: a
 * workflow with that id that exists already, running or closed, is the same refund ('existed'). Used by the refund
 * request (refunds/request-refund.ts) and by the workers' recovery of refunds recorded but never started
 * (refunds/start-recovery.ts). Throws when Temporal does not take the start.
 */
export async function startRefundWorkflow(
  deps: RefundStartDeps, refund: RefundRecord, order: OrderRecord, notifyRetryScheduleMs: number[],
): Promise<'started' | 'existed'> {
  if (!isChannelName(order.channel)) throw new Error(`order ${order.orderId} has an unknown channel`);
  const input: RefundWorkflowInput = {
    refundId: refund.refundId, mercNo: refund.mercNo, mercRefundNo: refund.mercRefundNo, orderId: refund.orderId,
    channel: order.channel, ...(order.channelOrderNo ? { channelOrderNo: order.channelOrderNo } : {}), amountFen: refund.amountFen,
    ...(refund.reason ? { reason: refund.reason } : {}),
    timing: {
      notifyRetryScheduleMs,
      queryScheduleMs: deps.config.refunds.queryScheduleMs,
      escalateAfterMs: deps.config.refunds.escalateAfterMs,
    },
  };
  try {
    await deps.temporal.workflow.start<typeof refundWorkflow>('refundWorkflow', {
      workflowId: refund.workflowId, taskQueue: deps.config.temporal.taskQueue, args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'existed';
    throw err;
  }
}
