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
/** One worker's circuit breaker of one channel (channels/circuits.ts). */
export const CircuitViewSchema = z.object({
  channel: z.string(),
  state: z.enum(['closed', 'open', 'half_open']),
  failures: z.number().int().describe('UNKNOWN answers in a row (closed), or since the circuit last opened'),
  since: z.string().describe('When the circuit entered this state (ISO 8601)'),
  retryAt: z.string().optional().describe('Open: when one probe call may go through (ISO 8601)'),
  worker: z.string().describe('The worker process (pid@host) whose breaker this is'),
});
export type CircuitView = z.infer<typeof CircuitViewSchema>;

/** Readiness on internal listeners (admin, worker): each check named, with the reason it failed. */
export const ReadinessAnswerSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.string()).describe('Each check: "ok" or "failed: <reason>"'),
  circuits: z.array(CircuitViewSchema).optional().describe(
    "The channels' circuit breakers, per worker (the worker: its own; the API: as the workers last reported them). An open circuit does not make the process unready: orders fail over or wait."),
});

/** Where an internal /readyz finds the circuits it shows (none: the answer has no `circuits`). */
export type CircuitSource = () => Promise<CircuitView[]>;
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
  const outcomes = await Promise.all(names.map((name) => checkWithTimeout(Promise.resolve().then(checks[name]!), timeoutMs, name)));
  const report: ReadinessReport = { ready: true, checks: {} };
  names.forEach((name, i) => {
    const error = outcomes[i];
    report.checks[name] = error === null ? 'ok' : `failed: ${error}`;
    if (error !== null) report.ready = false;
  });
  return report;
}

/** `work`'s value, or a rejection after `ms`. */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    })]);
  } finally {
    clearTimeout(timer);
  }
}

async function checkWithTimeout(check: Promise<void>, ms: number, name: string): Promise<string | null> {
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
export function readinessRoutes(opts: { checks: Record<string, ReadinessCheck>; detailed: boolean; timeoutMs?: number; circuits?: CircuitSource }): Router {
  const router = Router();
  router.get('/readyz', async (_req, res) => {
    const [report, circuits] = await Promise.all([
      checkReadiness(opts.checks, opts.timeoutMs),
      // Circuits are detail, never a check: unreadable (the database down, which its own check reports) = left out.
      opts.detailed && opts.circuits ? withTimeout(opts.circuits(), opts.timeoutMs ?? READINESS_TIMEOUT_MS).catch(() => undefined) : undefined,
    ]);
    const status = report.ready ? 'ready' : 'unavailable';
    const answer: z.infer<typeof ReadinessAnswerSchema> | z.infer<typeof PublicReadinessAnswerSchema> = opts.detailed
      ? { status, checks: report.checks, ...(circuits ? { circuits } : {}) }
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
export function opsRoutes(opts: { checks: Record<string, ReadinessCheck>; registry: Registry; timeoutMs?: number; circuits?: CircuitSource }): Router {
  const router = Router();
  router.use(livenessRoutes());
  router.use(readinessRoutes({
    checks: opts.checks, detailed: true, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.circuits ? { circuits: opts.circuits } : {}),
  }));
  router.use(metricsRoutes(opts.registry));
  return router;
}
