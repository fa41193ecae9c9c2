import { Router } from 'express';
import type { AppConfig } from '../../../config';
import { operatorOf } from './auth';
import { reconReport, reconReports, runRecon } from '../../../support/recon';
import type { SupportEnv } from '../../../support/temporal';
import { ReconRunBodySchema, ReconRunParamsSchema, ReconRunsQuerySchema, parseSupport } from '../../schemas/support';

/** Reconciliation reports per channel and day (metrics, discrepancy counts, findings), and a day run on demand. */
export function supportReconRoutes(env: SupportEnv, config: Pick<AppConfig, 'recon' | 'temporal'>): Router {
  const router = Router();
  router.get('/recon/runs', async (req, res) => {
    const q = parseSupport(ReconRunsQuerySchema, req.query);
    res.json(await reconReports(env, { limit: q.limit, ...(q.channel ? { channel: q.channel } : {}), ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) }));
  });
  router.get('/recon/runs/:channel/:date', async (req, res) => {
    const p = parseSupport(ReconRunParamsSchema, req.params);
    res.json(await reconReport(env, p.channel, p.date));
  });
  router.post('/recon/runs', async (req, res) => {
    const body = parseSupport(ReconRunBodySchema, req.body);
    res.status(202).json(await runRecon(env, config, body.channel, body.date, operatorOf(res)));
  });
  return router;
}
