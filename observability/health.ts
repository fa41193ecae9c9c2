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

/** The /healthz and /readyz answers (also in the OpenAPI documents). */
export const LivenessAnswerSchema = z.object({ status: z.literal('ok') });
/** Readiness on internal listeners (admin, worker): each check named, with the reason it failed. */
export const ReadinessAnswerSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()).describe('Each check: "ok" or "failed: <reason>"'),
});
/** Readiness on the merchant-facing listener: ready or not, nothing about why (the admin listener has the details). */
export const PublicReadinessAnswerSchema = z.object({ status: z.enum(['ready', 'unavailable']) });

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

/** GET /healthz: liveness (the process serves HTTP). */
export function livenessRoutes(): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' } satisfies z.infer<typeof LivenessAnswerSchema>));
  return router;
}

/**
 * GET /readyz: 200 when every check passes, else 503. `detailed` (internal listeners) names each check and why it
 * failed; otherwise (the merchant-facing listener) the answer says only ready or unavailable: a failing check's
 * message (hosts, ports, driver errors) never reaches the public side.
 */
export function readinessRoutes(opts: { checks: Record<string, ReadinessCheck>; detailed: boolean; timeoutMs?: number }): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    const report = await checkReadiness(opts.checks, opts.timeoutMs);
    const status = report.ready ? 'ready' : 'unavailable';
    const answer: z.infer<typeof ReadinessAnswerSchema> | z.infer<typeof PublicReadinessAnswerSchema> = opts.detailed
      ? { status, checks: report.checks }
      : { status };
    res.status(report.ready ? 200 : 503).json(answer);
  });
  return router;
}

/** GET /metrics: Prometheus text format. */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

/**
 * The internal operations routes (worker's HTTP server, the API's admin listener): GET /healthz, GET /readyz with
 * every check named (503 naming the failed ones) and GET /metrics.
 */
export function opsRoutes(opts: { checks: Record<string, ReadinessCheck>; registry: Registry; timeoutMs?: number }): Router {
  const router = Router();
  router.use(livenessRoutes());
  router.use(readinessRoutes({ checks: opts.checks, detailed: true, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) }));
  router.use(metricsRoutes(opts.registry));
  return router;
}
