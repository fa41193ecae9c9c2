import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { ChannelName } from '../domain/channels';
import { SupportError } from '../domain/errors';
import { isStatementDate, shanghaiDateOf } from '../domain/reconciliation';
import type { ReconciliationInput, reconciliationWorkflow } from '../workflows/reconciliation';

/** The workflow id of an on-demand run of a channel's day (one at a time; a finished one may run again). */
export const reconRunWorkflowId = (channel: ChannelName, date: string) => `recon:${channel}:${date}`;

/**
 * Runs one channel's day now (support `recon run`): starts its reconciliation workflow, or joins the one already
 * running for that day. A day that has not ended in Asia/Shanghai can be run (its statement is partial: what the
 * channel lists so far); a future day cannot.
 */
export async function startReconRun(
  temporal: Client, config: Pick<AppConfig, 'recon' | 'temporal'>, channel: ChannelName, date: string, now = Date.now(),
): Promise<{ workflowId: string }> {
  if (!isStatementDate(date)) throw new SupportError('conflict', `${date} is not a day that can be reconciled (a calendar date of year 1 or later)`);
  if (date > shanghaiDateOf(now)) throw new SupportError('conflict', `${date} has not begun yet in Asia/Shanghai: there is no statement of it`);
  const workflowId = reconRunWorkflowId(channel, date);
  const input: ReconciliationInput = { channel, date, retryScheduleMs: config.recon.retryScheduleMs };
  await temporal.workflow.start<typeof reconciliationWorkflow>('reconciliationWorkflow', {
    workflowId,
    taskQueue: config.temporal.taskQueue,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return { workflowId };
}
