import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import { findMerchant } from '../db/merchants';
import type { OrderRecord } from '../db/orders';
import { findPayout, markPayoutStarted } from '../db/payouts';
import type { Pool } from '../db/pool';
import { isChannelName } from '../domain/channels';
import { PayStatus } from '../domain/pay-status';
import type { PayoutWorkflowInput } from '../workflows/definitions';
import type { payoutWorkflow } from '../workflows/payout';
import { SA } from '../workflows/search-attributes';

export interface PayoutStartDeps {
  pool: Pool;
  temporal: Client;
  config: Pick<AppConfig, 'temporal' | 'payouts' | 'notify'>;
}

/**
 * Starts an accepted payout's workflow on its order's workflow id, with its input built from what the acceptance
 * recorded (order, payee row, the merchant's notification settings), and records that it did
 * (payouts.workflow_started_at). Idempotent: a workflow with that id that exists already, running or closed, is the
 * same payout ('existed'). Used by the unified order (payouts/place-payout.ts) and by the workers' recovery of payouts
 * accepted but never started (payouts/start-recovery.ts). Throws when Temporal does not take the start.
 */
export async function startPayoutWorkflow(deps: PayoutStartDeps, order: OrderRecord): Promise<'started' | 'existed'> {
  const payout = await findPayout(deps.pool, order.orderId);
  if (!payout || !isChannelName(order.channel)) throw new Error(`payout ${order.orderId} has no payee row or an unknown channel`);
  // The merchant's notification settings go in the input, as an order's do.
  const merchant = await findMerchant(deps.pool, order.mercNo);
  if (!merchant) throw new Error(`merchant ${order.mercNo} not found`);
  const input: PayoutWorkflowInput = {
    orderId: order.orderId, mercNo: order.mercNo, mercOrderNo: order.mercOrderNo, tradeType: order.tradeType, channel: order.channel,
    amountFen: order.amountFen, payee: payout.payee, title: order.mercOrderNo, approvalRequired: payout.approval === 'pending',
    timing: {
      notifyRetryScheduleMs: merchant.notifyScheduleMs ?? deps.config.notify.retryScheduleMs,
      queryScheduleMs: deps.config.payouts.queryScheduleMs,
      escalateAfterMs: deps.config.payouts.escalateAfterMs,
      transferTimeoutMs: deps.config.payouts.transferTimeoutMs,
    },
    notifyStatuses: merchant.notifyStatuses,
  };
  let outcome: 'started' | 'existed';
  try {
    await deps.temporal.workflow.start<typeof payoutWorkflow>('payoutWorkflow', {
      workflowId: order.workflowId, taskQueue: deps.config.temporal.taskQueue, args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: SA.mercNo, value: order.mercNo },
        { key: SA.mercOrderNo, value: order.mercOrderNo },
        { key: SA.paywayCode, value: order.paywayCode },
        { key: SA.channel, value: order.channel },
        { key: SA.orderId, value: order.orderId },
        { key: SA.payStatus, value: PayStatus.SUBMITTED },
      ],
    });
    outcome = 'started';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    outcome = 'existed';
  }
  await markPayoutStarted(deps.pool, order.orderId);
  return outcome;
}
