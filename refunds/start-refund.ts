import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { OrderRecord } from '../db/orders';
import { markRefundStarted, type RefundRecord } from '../db/refunds';
import type { Pool } from '../db/pool';
import { isChannelName } from '../domain/channels';
import type { RefundWorkflowInput } from '../workflows/definitions';
import type { refundWorkflow } from '../workflows/refund';

export interface RefundStartDeps {
  pool: Pool;
  temporal: Client;
  config: Pick<AppConfig, 'temporal' | 'refunds' | 'notify'>;
}

/**
 * Starts a recorded refund's workflow (id `refund:<mercNo>:<mercRefundNo>`, the refund's workflowId). Idempotent: a
 * running workflow with that id is the same refund ('started'); a closed one is 'existed'. Once Temporal has taken
 * the start it is recorded (refunds.workflow_started_at, migration 032). Used by the refund
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
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'existed';
    throw err;
  }
  // Taken (new, or running already under USE_EXISTING): recorded, so the workers' recovery does not claim it. A
  // closed run ('existed') is not: the refund is still r0001 with nothing to move it, which the recovery escalates.
  await markRefundStarted(deps.pool, refund.refundId);
  return 'started';
}
