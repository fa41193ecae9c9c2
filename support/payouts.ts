import { WorkflowUpdateFailedError } from '@temporalio/client';
import { DECISION_UPDATE, isWorkflowGone, type SupportEnv } from './temporal';
import { sendUpdate } from '../temporal/updates';
import { findOrderById, type OrderRecord } from '../db/orders';
import { findPayout, listPendingApprovals, type PayoutRecord } from '../db/payouts';
import { formatFenAsYuan } from '../domain/money';
import { maskPayeeAccount } from '../domain/payout';
import { SupportError } from '../domain/errors';
import { payoutApprovalUpdate, type PayoutApproval } from '../workflows/definitions';

/**
 * A support operator's approval decision on a payout waiting for one (merchants.payout_approval_required): sent to
 * the payout's workflow as an update, so the answer comes after the workflow has recorded it (and, for a reject,
 * failed the payout and given its amount back). Never written straight into the read model.
 */
export async function decidePayout(env: SupportEnv, order: OrderRecord, approval: PayoutApproval): Promise<{ order: OrderRecord; payout: PayoutRecord }> {
  const payout = await findPayout(env.pool, order.orderId);
  if (!payout) throw new SupportError('conflict', `order ${order.orderId} is not a payout`);
  if (payout.approval !== 'pending') throw new SupportError('conflict', `payout ${order.orderId} is not waiting for approval (${payout.approval})`);
  try {
    await sendUpdate(() => env.temporal.workflow.getHandle(order.workflowId).executeUpdate(payoutApprovalUpdate, { args: [approval] }), DECISION_UPDATE);
  } catch (err) {
    if (isWorkflowGone(err)) throw new SupportError('conflict', `the workflow ${order.workflowId} of this payout is no longer running`);
    if (err instanceof WorkflowUpdateFailedError) throw new SupportError('conflict', `the payout's workflow refused the decision: ${err.cause?.message ?? err.message}`);
    throw err;
  }
  return { order: (await findOrderById(env.pool, order.orderId)) ?? order, payout: (await findPayout(env.pool, order.orderId)) ?? payout };
}

/** Payouts waiting for approval, longest waiting first: what an operator decides on (payee account masked). */
export async function pendingApprovals(env: SupportEnv, q: { limit: number; mercNo?: string }) {
  const { total, payouts } = await listPendingApprovals(env.pool, q);
  return {
    total,
    payouts: payouts.map((p) => ({
      orderId: p.orderId, mercNo: p.mercNo, mercOrderNo: p.mercOrderNo, tradeType: p.tradeType, tradeAmt: formatFenAsYuan(p.amountFen),
      payeeName: p.payee.name, payeeAccount: maskPayeeAccount(p.payee.account), payeeAccountType: p.payee.accountType,
      ...(p.payee.bankCode ? { bankCode: p.payee.bankCode } : {}), acceptedAt: new Date(p.createdAtMs).toISOString(),
    })),
  };
}
