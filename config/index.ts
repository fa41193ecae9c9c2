import { z } from 'zod';
import { DEFAULT_NOTIFY_RETRY_SCHEDULE, DEFAULT_POLL_SCHEDULE, parseDuration, parseSchedule } from '../domain/durations';
import { readFileSync } from 'node:fs';
import { CHANNEL_NAMES, isChannelName, isLiveChannelName, LIVE_CHANNEL_NAMES, type ChannelName, type LiveChannelName } from '../domain/channels';
import { parseReconAt } from '../domain/reconciliation';
import { emptyKeyring, parseMasterKeys, type Keyring } from '../secrets/keyring';
import { DEFAULT_SANDBOX_REPORT_SCHEDULE, parseReportSchedule } from '../domain/report-schedule';
import { parseYuanToFen } from '../domain/money';
import { parseSupportOperators, type SupportOperator } from './support-operators';
import { parseAdminOperators, sharedToken, type AdminOperator } from './admin-operators';
import type { CircuitSettings } from '../domain/circuit-breaker';

/**
 * One typed configuration, read from the environment and validated at boot. A bad value stops the process with a
 * message naming the variable; nothing starts half-configured.
 */
/** A string variable parsed by `parse`, whose error message becomes the validation issue. */
const parsedString = <T>(fallback: string, parse: (text: string) => T) =>
  z.string().default(fallback).transform((text, ctx) => {
    try {
      return parse(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
const schedule = (fallback: string) => parsedString(fallback, parseSchedule);
const duration = (fallback: string) => parsedString(fallback, parseDuration);

/** A whole number of requests or orders, 0 up to a million (0 = the limit is off where the variable says so). */
const count = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000).default(fallback);

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const bool = (fallback: 'true' | 'false') => z.enum(['true', 'false']).default(fallback).transform((v) => v === 'true');
const optionalBool = () => z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true'));

export const EnvSchema = z.object({
  /**
   * production: no default channel, the sandbox off unless SANDBOX_ENABLED=true, MASTER_KEYS required, private notify
   * addresses refused. Default: production when NODE_ENV=production, else development.
   */
  PAYDURABLE_ENV: z.enum(['development', 'production']).optional(),
  NODE_ENV: z.string().optional(),
  /** Runs the sandbox channel (test-mode orders). Default: on in development, off in production. */
  SANDBOX_ENABLED: optionalBool(),
  /** Master keys sealing merchant and channel keys at rest: `id:base64(32 bytes)[,…]`, the first seals (secret). */
  MASTER_KEYS: z.string().min(1).optional(),
  /** The same, read from a file (one entry per line or comma-separated). */
  MASTER_KEYS_FILE: z.string().min(1).optional(),
  DATABASE_URL: z.string().url(),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /**
   * Worker: the poller's own PostgreSQL connections (claiming due polls, the sandbox's reads, recording each call), on
   * top of PG_POOL_MAX. Kept apart so that polling many open orders never holds every connection a paying order's
   * steps are waiting for (polling/poller.ts).
   */
  POLL_PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(4),
  /** Worker: channel polls in flight at once (each waits for its channel's answer; their database work shares POLL_PG_POOL_MAX). */
  POLL_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /**
   * Worker: whether this worker process also polls open orders' channels. false where a poller process of its own
   * runs (`npm run start:poller`, polling/main.ts): then no poll competes with the order path for the worker's thread.
   */
  WORKER_POLLS: bool('true'),
  /**
   * Poller process only: the CPU niceness it gives itself at boot (0–19; 0 = as started). A lower priority than the
   * worker and the API, so the order path gets a core first when polling many open orders keeps the machine busy.
   */
  POLLER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Poller process only: /healthz, /readyz and /metrics on this host and port (0 = no HTTP server). */
  POLLER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  POLLER_HTTP_PORT: port(0),
  /** How long a starting api or worker waits for PostgreSQL to answer before giving up. */
  DB_BOOT_WAIT: duration('60s'),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('orders'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  /** Self-hosted cluster with a private CA: that CA's certificate, and the server name its certificate was issued for. */
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port(8080),
  /**
   * The admin listener (internal side only): the support API, /metrics, /readyz with details and the internal docs.
   * Port 0 = any free port (tests).
   */
  ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: port(8081),
  /** Base URL payers and merchants reach the API at (sandbox cashier links, QR images). */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** How long the unified-order call waits for its workflow to answer before replying 999999 (retry). */
  PAY_ANSWER_TIMEOUT: duration('10s'),
  CLOSE_ANSWER_TIMEOUT: duration('10s'),
  /** How long a new refund's answer waits for its workflow to start (the refund is recorded first) before 999999. */
  REFUND_ANSWER_TIMEOUT: duration('10s'),

  NOTIFY_RETRY_SCHEDULE: schedule(DEFAULT_NOTIFY_RETRY_SCHEDULE),
  NOTIFY_TIMEOUT: duration('5s'),
  /** Endpoint health: a merchant notify endpoint failing continuously this long is paused until support resumes it. */
  NOTIFY_ENDPOINT_PAUSE_AFTER: duration('72h'),
  /** Lets notifications reach loopback and private addresses: for the local demo and tests only, never production. */
  NOTIFY_ALLOW_PRIVATE: bool('false'),
  POLL_SCHEDULE: schedule(DEFAULT_POLL_SCHEDULE),
  /** An order whose channel result is unknown at expiry is asked again after each delay (the last repeats)… */
  UNKNOWN_RETRY_SCHEDULE: schedule('5s,10s,30s,1m,2m,5m'),
  /** …and goes to the human queue (support `ambiguous`) once it has been unknown this long. */
  UNKNOWN_ESCALATE_AFTER: duration('1h'),
  /** Closed or expired orders of a channel whose close is only local are polled until its own timeout plus this. */
  CHANNEL_WATCH_MARGIN: duration('10m'),

  /** Refunds are accepted this many days after payment, unless the merchant has its own window (merchants.refund_window_days). */
  REFUND_WINDOW_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** A refund not final at the channel is queried after each delay (the last repeats)… */
  REFUND_QUERY_SCHEDULE: schedule('5s,10s,30s,1m,2m,5m,10m'),
  /** …and goes to the human queue once it has been unsettled this long. */
  REFUND_ESCALATE_AFTER: duration('1h'),
  /**
   * A refund still r0001 this long after it was recorded has no running workflow (the API died, or Temporal was
   * unreachable, between recording it and starting it): the workers start it (refunds/start-recovery.ts).
   */
  REFUND_START_RECOVERY_AFTER: duration('1m'),

  /**
   * Payouts (tradeType 02/03): a merchant's accepted payouts per day (Asia/Shanghai), in yuan, unless
   * merchants.payout_daily_limit_fen says otherwise. Default: 50000.00 in development, 0 (no payouts until a merchant
   * is given a limit of its own, or this is set) in production.
   */
  PAYOUT_DAILY_LIMIT: z.string().optional().transform((text, ctx) => {
    if (text === undefined) return undefined;
    const fen = parseYuanToFen(text);
    if (!fen.ok && !/^0+(\.0{1,2})?$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `must be a yuan amount (${fen.rule})` });
      return z.NEVER;
    }
    return fen.ok ? fen.fen : 0;
  }),
  /** A payout whose transfer is not final at the channel is queried after each delay (the last repeats)… */
  PAYOUT_QUERY_SCHEDULE: schedule('5s,10s,30s,1m,2m,5m,10m'),
  /** …and goes to the human queue once it has been unsettled this long. */
  PAYOUT_ESCALATE_AFTER: duration('1h'),
  /** The one transfer call: past this without an answer it counts as lost (unknown, settled by queries). */
  PAYOUT_TRANSFER_TIMEOUT: duration('60s'),
  /**
   * A payout accepted this long ago whose workflow start is not recorded (the API died, or Temporal was unreachable,
   * between accepting it and starting it): the workers start it (payouts/start-recovery.ts).
   */
  PAYOUT_START_RECOVERY_AFTER: duration('1m'),

  /**
   * A channel report (callback, poll result, sandbox outbox) not handed to Temporal within this counts as not
   * delivered: the channel is answered "send again" (IPayNow success=N), the sandbox outbox retries.
   */
  CHANNEL_REPORT_TIMEOUT: duration('5s'),
  /** The sandbox retries an undelivered payment report after each delay; after the last one it is left for a person. */
  SANDBOX_REPORT_SCHEDULE: parsedString(DEFAULT_SANDBOX_REPORT_SCHEDULE, parseReportSchedule),

  /**
   * Live channel of a merchant's payway when channel_routes has no row for it; unset = none (such a live order is
   * refused 200002). Test orders always go to the sandbox, and live ones never do. Whether the channel can serve
   * merchants without an account of their own is checked with its settings (channels/registry.ts).
   */
  DEFAULT_CHANNEL: z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    if (isLiveChannelName(v)) return v;
    ctx.addIssue({ code: 'custom', message: v === 'sandbox'
      ? 'cannot be sandbox: the sandbox serves test-mode orders only (test keys), never live ones'
      : `must be one of ${LIVE_CHANNEL_NAMES.join(', ')}` });
    return z.NEVER;
  }),
  /**
   * Per-channel circuit breaker (docs/RELIABILITY.md "Channel circuit breaker"): this many UNKNOWN answers in a row
   * (timeouts, network and system errors), each within CIRCUIT_FAILURE_WINDOW of the one before, open a channel's
   * circuit in a worker: its creates and polls pause for CIRCUIT_OPEN_FOR, then one probe decides. 0 = no breaker.
   */
  CIRCUIT_FAILURE_THRESHOLD: z.coerce.number().int().min(0).max(1000).default(5),
  CIRCUIT_FAILURE_WINDOW: duration('60s'),
  CIRCUIT_OPEN_FOR: duration('30s'),
  /** Worker only: a pre-built workflow bundle (tests, containers); default is to bundle ./workflows at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Worker only: /healthz, /readyz and /metrics on this host and port (0 = no HTTP server). */
  WORKER_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_HTTP_PORT: port(0),
  /**
   * Worker: workflows kept in memory between tasks. Open orders wait without waking their workflow (the poller
   * polls outside it), so a small cache costs one short replay per payment and keeps memory flat however many orders
   * are open; the SDK's own default (from the heap size) held ~2,300 and 1 GiB at 9,000 open orders.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).default(1000),

  /**
   * Support API credentials, one per operator: `name:token[,name:token…]` (tokens are secrets: never logged). The
   * name is the actor of every audit record the operator's support actions write. Unset = the support API is off.
   */
  SUPPORT_OPERATORS: z.string().optional().transform((text, ctx) => {
    try {
      return parseSupportOperators(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),

  /**
   * Admin API credentials (/admin/v1 on the admin listener: merchants, keys, routes, accounts, limits), one per
   * operator: `name:token` or `name:sha256:<64 hex>` (the SHA-256 of the token, so the environment holds no secret),
   * comma-separated. Admin operators may use the support API too. Unset = the admin API is off (503 not_configured).
   */
  ADMIN_OPERATORS: z.string().optional().transform((text, ctx) => {
    try {
      return parseAdminOperators(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),

  /**
   * Rate limits (docs/SECURITY.md "Rate limits"), counted in PostgreSQL so that they hold across API replicas.
   * Merchant interfaces: requests per second per mercNo, plus this many more per 10 s for short bursts; 0 = no limit.
   */
  RATE_LIMIT_MERCHANT_RPS: count(100),
  RATE_LIMIT_MERCHANT_BURST: count(200),
  /** Channel callback endpoints (/channels/:name/notify): callbacks per second per source address; 0 = no limit. */
  RATE_LIMIT_N001_RPS: count(100),
  /** Orders not yet final (p0001, p0002) a merchant may have; a new unified order beyond them is refused; 0 = no cap. */
  MAX_OPEN_ORDERS_PER_MERCHANT: count(10_000),
  /** Support bulk replay jobs running at once; another one is refused until one finishes. */
  MAX_CONCURRENT_BULK_JOBS: z.coerce.number().int().min(1).max(100).default(2),

  /**
   * Reconciliation (docs/channels.md "Reconciliation"): each channel's previous day is reconciled daily at this time,
   * `HH:MM` in Asia/Shanghai (one Temporal Schedule per channel, `recon:<channel>`, created or updated when a worker
   * starts); `off` = no schedules (runs on demand only, support `recon run`).
   */
  RECON_AT: parsedString('10:00', parseReconAt),
  /** The channels reconciled daily (comma-separated); default every channel (the sandbox only where it is enabled). */
  RECON_CHANNELS: z.string().optional().transform((text, ctx) => {
    if (text === undefined || text.trim() === '') return undefined;
    const names = text.split(',').map((s) => s.trim());
    const bad = names.find((n) => !isChannelName(n));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `${bad} is not a channel (one of ${CHANNEL_NAMES.join(', ')})` });
      return z.NEVER;
    }
    return [...new Set(names)] as ChannelName[];
  }),
  /** A statement that cannot be had (not ready, unreachable) is asked for again after each delay, then the run fails. */
  RECON_RETRY_SCHEDULE: schedule('10m,30m,1h,2h,4h'),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
}).superRefine((e, ctx) => {
  if ((e.TEMPORAL_TLS_CERT_PATH === undefined) !== (e.TEMPORAL_TLS_KEY_PATH === undefined)) {
    const missing = e.TEMPORAL_TLS_CERT_PATH === undefined ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together (mTLS client certificate)' });
  }
  if (e.ADMIN_PORT !== 0 && e.ADMIN_PORT === e.API_PORT) {
    ctx.addIssue({ code: 'custom', path: ['ADMIN_PORT'], message: 'must differ from API_PORT: the admin listener is a server of its own' });
  }
  if (e.CHANNEL_REPORT_TIMEOUT < 100 || e.CHANNEL_REPORT_TIMEOUT > 30_000) {
    ctx.addIssue({ code: 'custom', path: ['CHANNEL_REPORT_TIMEOUT'], message: 'must be 100ms to 30s' });
  }
  for (const name of ['REFUND_START_RECOVERY_AFTER', 'PAYOUT_START_RECOVERY_AFTER'] as const) {
    if (e[name] < 100 || e[name] > 86_400_000) ctx.addIssue({ code: 'custom', path: [name], message: 'must be 100ms to 24h' });
  }
  for (const name of ['CIRCUIT_FAILURE_WINDOW', 'CIRCUIT_OPEN_FOR'] as const) {
    if (e[name] < 100 || e[name] > 3_600_000) ctx.addIssue({ code: 'custom', path: [name], message: 'must be 100ms to 1h' });
  }
  const shared = sharedToken(e.SUPPORT_OPERATORS, e.ADMIN_OPERATORS);
  if (shared) {
    ctx.addIssue({ code: 'custom', path: ['ADMIN_OPERATORS'], message: `admin operator ${shared.admin} has the token of support operator ${shared.support}: each role needs its own token` });
  }
  if (e.MASTER_KEYS !== undefined && e.MASTER_KEYS_FILE !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['MASTER_KEYS_FILE'], message: 'set MASTER_KEYS or MASTER_KEYS_FILE, not both' });
  }
  if (deploymentEnv(e) === 'production') {
    if (e.NOTIFY_ALLOW_PRIVATE) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFY_ALLOW_PRIVATE'], message: 'must not be true in production: notifications never go to private addresses there' });
    }
    if (e.MASTER_KEYS === undefined && e.MASTER_KEYS_FILE === undefined) {
      ctx.addIssue({ code: 'custom', path: ['MASTER_KEYS'], message: 'is required in production (merchant and channel keys are sealed at rest): openssl rand -base64 32, as k1:<key>' });
    }
  }
});

export type DeploymentEnv = 'development' | 'production';

const deploymentEnv = (e: { PAYDURABLE_ENV?: DeploymentEnv | undefined; NODE_ENV?: string | undefined }): DeploymentEnv =>
  e.PAYDURABLE_ENV ?? (e.NODE_ENV === 'production' ? 'production' : 'development');

export interface AppConfig {
  /** development or production (PAYDURABLE_ENV, else NODE_ENV): production has no demo conveniences. */
  env: DeploymentEnv;
  databaseUrl: string;
  pgPoolMax: number;
  /** A starting process waits this long for PostgreSQL (restarted together with it, or recovering). */
  dbBootWaitMs: number;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    tlsCertPath?: string;
    tlsKeyPath?: string;
    tlsCaPath?: string;
    tlsServerName?: string;
  };
  api: { host: string; port: number; publicBaseUrl: string; payAnswerTimeoutMs: number; closeAnswerTimeoutMs: number; refundAnswerTimeoutMs: number };
  /**
   * The admin listener: support API, admin API, metrics, detailed readiness, internal docs (never the merchant-facing
   * side). `operators`: who may use the admin API (ADMIN_OPERATORS); empty = the admin API is not configured (503).
   */
  admin: { host: string; port: number; operators: AdminOperator[] };
  notify: { retryScheduleMs: number[]; timeoutMs: number; allowPrivateAddresses: boolean; endpointPauseAfterMs: number };
  pollScheduleMs: number[];
  /**
   * The poller: its own pool's size (beside pgPoolMax in a worker), how many polls it has in flight, whether workers
   * run it (inWorker) and, for a poller process of its own, its niceness and HTTP listener.
   */
  poller: { pgPoolMax: number; concurrency: number; inWorker: boolean; nice: number; httpHost: string; httpPort: number };
  /** How an order whose channel result stays unknown is settled: asked again on a schedule, then escalated. */
  settlement: { unknownRetryScheduleMs: number[]; escalateAfterMs: number; watchMarginMs: number };
  /** Refunds: the default window after payment, and how an unsettled refund is queried and escalated. */
  refunds: { windowDays: number; queryScheduleMs: number[]; escalateAfterMs: number; startRecoveryAfterMs: number };
  /** Payouts: the default daily limit (fen), how an unsettled transfer is queried and escalated, and the transfer call's bound. */
  payouts: { defaultDailyLimitFen: number; queryScheduleMs: number[]; escalateAfterMs: number; transferTimeoutMs: number; startRecoveryAfterMs: number };
  /**
   * `reportTimeoutMs` bounds every hand-over of a channel report to Temporal; `sandboxReportScheduleMs` are the delays
   * between the sandbox's attempts to deliver a payment report (its length + 1 = the cap on attempts).
   */
  channels: {
    /** The live default channel (DEFAULT_CHANNEL); undefined = none. */
    defaultLiveChannel: LiveChannelName | undefined;
    /** Whether this deployment runs the sandbox (test-mode orders). */
    sandboxEnabled: boolean;
    reportTimeoutMs: number;
    sandboxReportScheduleMs: number[];
  };
  /** The master keys that seal merchant and channel keys at rest (empty in development without MASTER_KEYS). */
  secrets: { keyring: Keyring };
  /**
   * The variables the core does not read: each channel reads and validates its own settings from them when the API
   * or the worker builds the channels at boot (channels/<name>/settings.ts, channels/registry.ts).
   */
  channelEnv: Readonly<Record<string, string | undefined>>;
  /** The per-channel circuit breaker each worker keeps (failureThreshold 0 = off). */
  circuit: CircuitSettings;
  /** Reconciliation: the daily time in Asia/Shanghai (null = no schedules), the channels, how a missing statement is retried. */
  recon: { at: { hour: number; minute: number } | null; channels: ChannelName[]; retryScheduleMs: number[] };
  /** Worker's HTTP server for health and metrics; port 0 = none. */
  worker: { httpHost: string; httpPort: number; maxCachedWorkflows: number };
  workflowBundlePath?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** Support API: the named operators and their bearer tokens; empty = the support API is not configured (503). */
  support: { operators: SupportOperator[] };
  /** Rate limits and caps; 0 = off (except maxConcurrentBulkJobs, at least 1). */
  limits: {
    merchantRps: number;
    merchantBurst: number;
    n001Rps: number;
    maxOpenOrdersPerMerchant: number;
    maxConcurrentBulkJobs: number;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const deployment = deploymentEnv(e);
  let keyring = emptyKeyring();
  try {
    if (e.MASTER_KEYS !== undefined) keyring = parseMasterKeys(e.MASTER_KEYS);
    if (e.MASTER_KEYS_FILE !== undefined) keyring = parseMasterKeys(readFileSync(e.MASTER_KEYS_FILE, 'utf8'));
  } catch (err) {
    const name = e.MASTER_KEYS_FILE !== undefined ? 'MASTER_KEYS_FILE' : 'MASTER_KEYS';
    throw new ConfigError(`invalid configuration:\n  ${name}: ${(err as Error).message}`);
  }
  if (deployment === 'production' && !keyring.current) throw new ConfigError('invalid configuration:\n  MASTER_KEYS: lists no key');
  return {
    env: deployment,
    databaseUrl: e.DATABASE_URL,
    pgPoolMax: e.PG_POOL_MAX,
    dbBootWaitMs: e.DB_BOOT_WAIT,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: e.TEMPORAL_TLS || e.TEMPORAL_API_KEY !== undefined || e.TEMPORAL_TLS_CERT_PATH !== undefined || e.TEMPORAL_TLS_CA_PATH !== undefined,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      ...(e.TEMPORAL_TLS_CERT_PATH ? { tlsCertPath: e.TEMPORAL_TLS_CERT_PATH } : {}),
      ...(e.TEMPORAL_TLS_KEY_PATH ? { tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH } : {}),
      ...(e.TEMPORAL_TLS_CA_PATH ? { tlsCaPath: e.TEMPORAL_TLS_CA_PATH } : {}),
      ...(e.TEMPORAL_TLS_SERVER_NAME ? { tlsServerName: e.TEMPORAL_TLS_SERVER_NAME } : {}),
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/$/, ''),
      payAnswerTimeoutMs: e.PAY_ANSWER_TIMEOUT,
      closeAnswerTimeoutMs: e.CLOSE_ANSWER_TIMEOUT,
      refundAnswerTimeoutMs: e.REFUND_ANSWER_TIMEOUT,
    },
    admin: { host: e.ADMIN_HOST, port: e.ADMIN_PORT, operators: e.ADMIN_OPERATORS },
    notify: {
      retryScheduleMs: e.NOTIFY_RETRY_SCHEDULE, timeoutMs: e.NOTIFY_TIMEOUT, allowPrivateAddresses: e.NOTIFY_ALLOW_PRIVATE,
      endpointPauseAfterMs: e.NOTIFY_ENDPOINT_PAUSE_AFTER,
    },
    pollScheduleMs: e.POLL_SCHEDULE,
    poller: {
      pgPoolMax: e.POLL_PG_POOL_MAX, concurrency: e.POLL_CONCURRENCY, inWorker: e.WORKER_POLLS,
      nice: e.POLLER_NICE, httpHost: e.POLLER_HTTP_HOST, httpPort: e.POLLER_HTTP_PORT,
    },
    settlement: {
      unknownRetryScheduleMs: e.UNKNOWN_RETRY_SCHEDULE,
      escalateAfterMs: e.UNKNOWN_ESCALATE_AFTER,
      watchMarginMs: e.CHANNEL_WATCH_MARGIN,
    },
    refunds: {
      windowDays: e.REFUND_WINDOW_DAYS, queryScheduleMs: e.REFUND_QUERY_SCHEDULE, escalateAfterMs: e.REFUND_ESCALATE_AFTER,
      startRecoveryAfterMs: e.REFUND_START_RECOVERY_AFTER,
    },
    payouts: {
      defaultDailyLimitFen: e.PAYOUT_DAILY_LIMIT ?? (deployment === 'development' ? 5_000_000 : 0), queryScheduleMs: e.PAYOUT_QUERY_SCHEDULE, escalateAfterMs: e.PAYOUT_ESCALATE_AFTER,
      transferTimeoutMs: e.PAYOUT_TRANSFER_TIMEOUT, startRecoveryAfterMs: e.PAYOUT_START_RECOVERY_AFTER,
    },
    channels: {
      defaultLiveChannel: e.DEFAULT_CHANNEL,
      sandboxEnabled: e.SANDBOX_ENABLED ?? deployment === 'development',
      reportTimeoutMs: e.CHANNEL_REPORT_TIMEOUT,
      sandboxReportScheduleMs: e.SANDBOX_REPORT_SCHEDULE,
    },
    circuit: { failureThreshold: e.CIRCUIT_FAILURE_THRESHOLD, failureWindowMs: e.CIRCUIT_FAILURE_WINDOW, openMs: e.CIRCUIT_OPEN_FOR },
    recon: {
      at: e.RECON_AT,
      channels: e.RECON_CHANNELS ?? CHANNEL_NAMES.filter((c) => c !== 'sandbox' || (e.SANDBOX_ENABLED ?? deployment === 'development')),
      retryScheduleMs: e.RECON_RETRY_SCHEDULE,
    },
    channelEnv: Object.freeze(Object.fromEntries(Object.entries(env).filter(([k]) => !(k in EnvSchema.shape)))),
    worker: {
      httpHost: e.WORKER_HTTP_HOST,
      httpPort: e.WORKER_HTTP_PORT,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    },
    ...(e.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: e.WORKFLOW_BUNDLE_PATH } : {}),
    logLevel: e.LOG_LEVEL,
    support: { operators: e.SUPPORT_OPERATORS },
    secrets: { keyring },
    limits: {
      merchantRps: e.RATE_LIMIT_MERCHANT_RPS,
      merchantBurst: e.RATE_LIMIT_MERCHANT_BURST,
      n001Rps: e.RATE_LIMIT_N001_RPS,
      maxOpenOrdersPerMerchant: e.MAX_OPEN_ORDERS_PER_MERCHANT,
      maxConcurrentBulkJobs: e.MAX_CONCURRENT_BULK_JOBS,
    },
  };
}
