import { Router } from 'express';
import { listExhaustedOrders } from '../../../db/order-search';
import { operatorOf } from './auth';
import { dryRunReplay, jobView, startReplayJob } from '../../../support/replay-jobs';
import type { SupportEnv } from '../../../support/temporal';
import { SupportError } from '../../../domain/errors';
import { BulkReplayBodySchema, ExhaustedQuerySchema, JobParamsSchema, parseSupport } from '../../schemas/support';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());

/** Bulk replay (dry run or job, recorded with the operator who started it), job progress, and the list of exhausted notifications. */
export function supportBulkRoutes(env: SupportEnv, limits: { maxConcurrentJobs: number; onRefused: () => void }): Router {
  const router = Router();

  router.post('/notifications/replay', async (req, res) => {
    const body = parseSupport(BulkReplayBodySchema, req.body);
    const { from, to, ...rest } = body.filter;
    const filter = { ...rest, ...(from !== undefined ? { fromMs: from } : {}), ...(to !== undefined ? { toMs: to } : {}) };
    const filterEcho = { ...rest, ...(from !== undefined ? { from: iso(from) } : {}), ...(to !== undefined ? { to: iso(to) } : {}) };
    if (body.dryRun) {
      res.json({ ...(await dryRunReplay(env, filter)), filter: filterEcho });
      return;
    }
    const job = await startReplayJob(env, { filter, filterEcho, ratePerSecond: body.ratePerSecond, maxRunning: limits.maxConcurrentJobs, actor: operatorOf(res) })
      .catch((err: unknown) => {
        if (err instanceof SupportError && err.code === 'too_many_requests') limits.onRefused();
        throw err;
      });
    res.status(202).location(`/support/v1/jobs/${job.id}`).json(job);
  });

  router.get('/jobs/:id', async (req, res) => {
    const { id } = parseSupport(JobParamsSchema, req.params);
    res.json(await jobView(env, id));
  });

  router.get('/notifications/exhausted', async (req, res) => {
    const q = parseSupport(ExhaustedQuerySchema, req.query);
    const { total, orders } = await listExhaustedOrders(env.pool, { limit: q.limit, ...(q.mercNo ? { mercNo: q.mercNo } : {}) });
    res.json({
      total,
      orders: orders.map(({ lastAttemptAtMs, updatedAtMs, ...o }) => ({ ...o, lastAttemptAt: iso(lastAttemptAtMs) ?? null, updatedAt: iso(updatedAtMs) })),
    });
  });
  return router;
}
