import { Context } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import { findOrderById } from '../db/orders';
import { findJob, finishJob, finishJobItem, pendingJobItems } from '../db/support-jobs';
import { ApiError, SupportError } from '../domain/errors';
import { replayNotification } from '../support/notification-control';

/** An order whose replay keeps failing for infrastructure reasons is marked failed from this activity attempt on. */
const ITEM_GIVE_UP_ATTEMPT = 3;

/**
 * Activities of the bulk notification replay job (workflows/support-replay-job.ts). They replay through the worker's
 * Temporal client exactly as the support API does for one order.
 */
export function createSupportJobActivities({ pool }: ActivityDeps) {
  return {
    /**
     * Replays the job's next `limit` pending orders, recording each outcome; answers how many it took. Every replay
     * is audited with `actor`, the operator who started the job (from the job's workflow input).
     */
    async replayJobBatch(a: { jobId: string; limit: number; actor?: string }): Promise<{ processed: number }> {
      const ctx = Context.current();
      const env = { pool, temporal: ctx.client, taskQueue: ctx.info.taskQueue };
      const orderIds = await pendingJobItems(pool, a.jobId, a.limit);
      // Every replay of the job is audited with the operator who started it: the workflow input carries the name; a
      // job started before it did has it in its row only.
      const actor = a.actor ?? (orderIds.length > 0 ? ((await findJob(pool, a.jobId))?.actor ?? null) : null);
      for (const orderId of orderIds) {
        try {
          const order = await findOrderById(pool, orderId);
          if (!order) throw new SupportError('not_found', 'order not in the read model');
          const r = await replayNotification(env, order, { actor, jobId: a.jobId });
          await finishJobItem(pool, a.jobId, orderId, { state: 'done', path: r.path, workflowId: r.workflowId });
        } catch (err) {
          // A refusal (e.g. paused) is this order's outcome; anything else is retried with the activity a few times.
          if (!(err instanceof ApiError) && ctx.info.attempt < ITEM_GIVE_UP_ATTEMPT) throw err;
          await finishJobItem(pool, a.jobId, orderId, { state: 'failed', error: (err as Error).message });
        }
      }
      return { processed: orderIds.length };
    },

    async finishReplayJob(a: { jobId: string }): Promise<void> {
      await finishJob(pool, a.jobId, { state: 'completed' });
    },
  };
}

export type SupportJobActivities = ReturnType<typeof createSupportJobActivities>;
