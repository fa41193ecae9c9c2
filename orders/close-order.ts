import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { findOrderById, type OrderRecord } from '../db/orders';
import type { Queryable } from '../db/pool';
import { ApiError } from '../domain/errors';
import { isFinalStatus, PayStatus } from '../domain/pay-status';
import { closeOrderUpdate, type CloseAnswer } from '../workflows/definitions';
import { withDeadline } from '../api/deadline';
import { droppedByEngine, sendUpdate } from '../temporal/updates';

export interface CloseOrderDeps {
  temporal: Client;
  pool: Queryable;
  /** How long the merchant waits for the channel's decision before 999999 ("send the same request again"). */
  answerTimeoutMs: number;
}

/** How often a close whose update the engine dropped is sent again before the merchant is told to retry. */
const CLOSE_UPDATE_ATTEMPTS = 3;

/**
 * Merchant close (POST /api/close): the order's workflow asks the channel, which decides — closed (p0005), paid after
 * all (p0000) or unknown. Once the workflow has finished, its final state is in the read model.
 *
 * The close handler itself never fails, so a failed update means the engine dropped it: typically a channel report
 * (the poller seeing the very close as "closed") reached the workflow while one of its workflow tasks was completing,
 * the server rejected that task, and with it the update it carried ("unexpected workflow task failure",
 * FAILED_PRECONDITION: not accepted, so safe to send again). The close has then been decided and written to the read
 * model, or it has not been tried yet and is sent again (bounded; then 999999 and the merchant sends it again).
 */
export async function closeOrder(deps: CloseOrderDeps, order: OrderRecord): Promise<CloseAnswer> {
  const handle = deps.temporal.workflow.getHandle(order.workflowId);
  const send = async (): Promise<CloseAnswer> => {
    try {
      return await handle.executeUpdate(closeOrderUpdate);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return fromReadModel(await reread(deps, order));
      throw err;
    }
  };
  const answer = sendUpdate(send, {
    attempts: CLOSE_UPDATE_ATTEMPTS,
    // The close handler never fails: a failed update is one the workflow finished without answering, or a drop.
    dropped: (err) => err instanceof WorkflowUpdateFailedError || droppedByEngine(err),
    settled: async () => {
      const now = await reread(deps, order);
      return isFinalStatus(now.payStatus) ? fromReadModel(now) : undefined;
    },
    exhausted: () => new ApiError('999999', 'the close is in progress; send the same request again'),
  });
  return withDeadline(answer, deps.answerTimeoutMs, 'the close is in progress; send the same request again');
}

/** A closed order's answer from its final state: cancelled is closed (again), any other state cannot be closed. */
function fromReadModel(order: OrderRecord): CloseAnswer {
  return order.payStatus === PayStatus.CANCELLED
    ? { kind: 'closed', payStatus: order.payStatus }
    : { kind: 'not-allowed', payStatus: order.payStatus };
}

async function reread(deps: CloseOrderDeps, order: OrderRecord): Promise<OrderRecord> {
  return (await findOrderById(deps.pool, order.orderId)) ?? order;
}
