import { z } from 'zod';
import { DEFAULT_NOTIFY_RETRY_SCHEDULE, DEFAULT_POLL_SCHEDULE, parseDuration, parseSchedule } from '../domain/durations';

/**
 * One typed configuration, read from the environment and validated at boot. A bad value stops the process with a
 * message naming the variable; nothing starts half-configured.
 */
const schedule = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx) => {
    try {
      return parseSchedule(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const duration = (fallback: string) =>
  z.string().default(fallback).transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const EnvSchema = z.object({
  DATABASE_URL: z.string().url(),
  PG_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),

  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('orders'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port(8080),
  /** Base URL payers and merchants reach the API at (sandbox cashier links, QR images). */
  PUBLIC_BASE_URL: z.string().url().optional(),
  /** How long the unified-order call waits for its workflow to answer before replying 999999 (retry). */
  PAY_ANSWER_TIMEOUT: duration('10s'),

  NOTIFY_RETRY_SCHEDULE: schedule(DEFAULT_NOTIFY_RETRY_SCHEDULE),
  NOTIFY_TIMEOUT: duration('5s'),
  POLL_SCHEDULE: schedule(DEFAULT_POLL_SCHEDULE),

  /** Worker only: a pre-built workflow bundle (tests, containers); default is to bundle ./workflows at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface AppConfig {
  databaseUrl: string;
  pgPoolMax: number;
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    apiKey?: string;
    tls: boolean;
    tlsCertPath?: string;
    tlsKeyPath?: string;
  };
  api: { host: string; port: number; publicBaseUrl: string; payAnswerTimeoutMs: number };
  notify: { retryScheduleMs: number[]; timeoutMs: number };
  pollScheduleMs: number[];
  workflowBundlePath?: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
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
  return {
    databaseUrl: e.DATABASE_URL,
    pgPoolMax: e.PG_POOL_MAX,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: e.TEMPORAL_TLS || e.TEMPORAL_API_KEY !== undefined || e.TEMPORAL_TLS_CERT_PATH !== undefined,
      ...(e.TEMPORAL_API_KEY ? { apiKey: e.TEMPORAL_API_KEY } : {}),
      ...(e.TEMPORAL_TLS_CERT_PATH ? { tlsCertPath: e.TEMPORAL_TLS_CERT_PATH } : {}),
      ...(e.TEMPORAL_TLS_KEY_PATH ? { tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH } : {}),
    },
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/$/, ''),
      payAnswerTimeoutMs: e.PAY_ANSWER_TIMEOUT,
    },
    notify: { retryScheduleMs: e.NOTIFY_RETRY_SCHEDULE, timeoutMs: e.NOTIFY_TIMEOUT },
    pollScheduleMs: e.POLL_SCHEDULE,
    ...(e.WORKFLOW_BUNDLE_PATH ? { workflowBundlePath: e.WORKFLOW_BUNDLE_PATH } : {}),
    logLevel: e.LOG_LEVEL,
  };
}
