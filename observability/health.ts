import { Router } from 'express';
import type { Registry } from 'prom-client';
import { z } from 'zod';

/** A readiness check: resolves when the dependency is usable, rejects (with the reason) when it is not. */
export type ReadinessCheck = () => Promise<void>;

/** How long one readiness check may take before it counts as failed. */
export const READINESS_TIMEOUT_MS = 3_000;

/** PostgreSQL answers a trivial query. */
export function databaseCheck(db: { query(sql: string): Promise<unknown> }): ReadinessCheck {
  return async () => {
    await db.query('SELECT 1');
  };
}

/** What a Temporal Client and a worker's NativeConnection both offer. */
export interface TemporalPingable {
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
  workflowService: { getSystemInfo(request: Record<string, never>): Promise<unknown> };
}

/** The Temporal frontend answers GetSystemInfo (allowed for every caller, API keys and mTLS included). */
export function temporalCheck(conn: TemporalPingable, timeoutMs = READINESS_TIMEOUT_MS): ReadinessCheck {
  return async () => {
    await conn.withDeadline(Date.now() + timeoutMs, () => conn.workflowService.getSystemInfo({}));
  };
}

/** The worker is polling its task queue. */
export function workerRunningCheck(worker: { getState(): string }): ReadinessCheck {
  return async () => {
    const state = worker.getState();
    if (state !== 'RUNNING') throw new Error(`worker is ${state}`);
  };
}

/** The /healthz and /readyz answers (also in the OpenAPI document). */
export const LivenessAnswerSchema = z.object({ status: z.literal('ok') });
export const ReadinessAnswerSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()).describe('Each check: "ok" or "failed: <reason>"'),
});

export interface ReadinessReport {
  ready: boolean;
  /** Each check: `ok` or `failed: <reason>`. */
  checks: Record<string, string>;
}

/** Runs every check in parallel, each bounded by `timeoutMs`. */
export async function checkReadiness(checks: Record<string, ReadinessCheck>, timeoutMs = READINESS_TIMEOUT_MS): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.all(names.map((name) => withTimeout(Promise.resolve().then(checks[name]!), timeoutMs, name)));
  const report: ReadinessReport = { ready: true, checks: {} };
  names.forEach((name, i) => {
    const error = outcomes[i];
    report.checks[name] = error === null ? 'ok' : `failed: ${error}`;
    if (error !== null) report.ready = false;
  });
  return report;
}

async function withTimeout(check: Promise<void>, ms: number, name: string): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${name} did not answer within ${ms} ms`), ms);
  });
  try {
    return await Promise.race([check.then(() => null, (err: unknown) => (err as Error)?.message || String(err)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * GET /healthz (liveness: the process serves HTTP), GET /readyz (readiness: every check passes; 503 naming the
 * failed ones otherwise) and GET /metrics (Prometheus text format).
 */
export function opsRoutes(opts: { checks: Record<string, ReadinessCheck>; registry: Registry; timeoutMs?: number }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' } satisfies z.infer<typeof LivenessAnswerSchema>));
  router.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(opts.checks, opts.timeoutMs);
    const answer: z.infer<typeof ReadinessAnswerSchema> = { status: report.ready ? 'ready' : 'unavailable', checks: report.checks };
    res.status(report.ready ? 200 : 503).json(answer);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(opts.registry.contentType).send(await opts.registry.metrics());
  });
  return router;
}
