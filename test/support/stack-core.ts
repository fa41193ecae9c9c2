import { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import { createHash, randomUUID } from 'node:crypto';
import { loadConfig, type AppConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createPool, type Pool } from '../../db/pool';
import { connectTemporalClient } from '../../temporal/client-connection';
import { createMerchant, type Merchant } from '../../db/merchants';
import { parseMasterKeys } from '../../secrets/keyring';
import type { Mode } from '../../domain/mode';
import { startApi, type ApiHandle } from '../../api/server';
import { startWorker, type WorkerHandle } from '../../worker/create-worker';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../../devstack/paths';
import { ALL_SIGN_TYPES, sign, type FieldSignType, type SignType } from '../../domain/signing';
import type { PayStatus } from '../../domain/pay-status';
import type { Infrastructure } from './infrastructure';

/** The support operators of every test stack (SUPPORT_OPERATORS): name → bearer token. */
export const TEST_OPERATORS = {
  'ops-alice': 'test-token-alice-0123456789abcdef',
  'ops-bob': 'test-token-bob-0123456789abcdef00',
} as const;
export type TestOperator = keyof typeof TEST_OPERATORS;
/** The operator supportCall and the CLI tests act as unless told otherwise. */
export const TEST_OPERATOR: TestOperator = 'ops-alice';
export const TEST_OPERATOR_TOKEN = TEST_OPERATORS[TEST_OPERATOR];
export const TEST_SUPPORT_OPERATORS = Object.entries(TEST_OPERATORS).map(([name, token]) => `${name}:${token}`).join(',');
/**
 * The admin operator of every test stack (ADMIN_OPERATORS), given hashed as production would: `name:sha256:<hex>`.
 * Its token opens the admin API (/admin/v1) and the support API.
 */
export const TEST_ADMIN_OPERATOR = 'admin-carol';
export const TEST_ADMIN_TOKEN = 'test-admin-token-carol-0123456789';
export const TEST_ADMIN_OPERATORS = `${TEST_ADMIN_OPERATOR}:sha256:${createHash('sha256').update(TEST_ADMIN_TOKEN).digest('hex')}`;
/** Every test stack seals merchant and channel keys at rest under this master key (MASTER_KEYS). */
export const TEST_MASTER_KEYS = `t1:${Buffer.alloc(32, 7).toString('base64')}`;
export const testKeyring = () => parseMasterKeys(TEST_MASTER_KEYS);

export interface TestStack {
  config: AppConfig;
  client: Client;
  pool: Pool;
  api: ApiHandle;
  worker: WorkerHandle | null;
  env: Record<string, string>;
  startWorker(): Promise<WorkerHandle>;
  stop(): Promise<void>;
}

/** Where a stack's system runs: the global setup's servers in tests (see ./stack.ts), ./infrastructure.ts elsewhere. */
export type StackBase = Pick<Infrastructure, 'databaseUrl' | 'temporalAddress' | 'workflowBundlePath'>;

/**
 * The real system: the API and a worker (in this process) over a real Temporal dev server and PostgreSQL. Each stack
 * has its own task queue, so stacks never share workers. Timing variables (schedules) can be overridden per stack.
 * Free of vitest, so that scripts (scripts/record-histories.ts) drive the same system as the integration tests.
 */
export async function startStackOn(
  base: StackBase,
  envOverrides: Record<string, string> = {},
  /** `apiTemporalAddress`: the API alone reaches Temporal there (e.g. through a TcpProxy a test can cut). */
  opts: { worker?: boolean; apiTemporalAddress?: string } = {},
): Promise<TestStack> {
  const port = await freePort();
  const env: Record<string, string> = {
    DATABASE_URL: base.databaseUrl,
    TEMPORAL_ADDRESS: base.temporalAddress,
    TEMPORAL_TASK_QUEUE: `test-${randomUUID()}`,
    API_PORT: String(port),
    ADMIN_PORT: '0', // the admin listener (support API, metrics): any free port, api.adminUrl
    LOG_LEVEL: 'silent',
    POLL_SCHEDULE: '200ms',
    NOTIFY_RETRY_SCHEDULE: '100ms,200ms,300ms',
    SUPPORT_OPERATORS: TEST_SUPPORT_OPERATORS,
    ADMIN_OPERATORS: TEST_ADMIN_OPERATORS,
    NOTIFY_ALLOW_PRIVATE: 'true', // the merchant receivers listen on loopback
    MASTER_KEYS: TEST_MASTER_KEYS,
    // No channel circuit breaker unless a test asks for one: stacks share one database, and each stack's poller asks
    // its channels about every stack's open orders, whose failures would open its circuits (test/support/own-database.ts).
    CIRCUIT_FAILURE_THRESHOLD: '0',
    // No daily reconciliation schedules (they are per namespace, and every stack shares the dev server): the
    // reconciliation tests run days on demand, and turn RECON_AT on where they test the schedules.
    RECON_AT: 'off',
    ...envOverrides,
  };
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, 'test');
  const pool = createPool(config.databaseUrl, 5);
  const workflowBundle = { code: readFileSync(base.workflowBundlePath, 'utf8') };
  const apiConfig = opts.apiTemporalAddress ? { ...config, temporal: { ...config.temporal, address: opts.apiTemporalAddress } } : config;
  const api = await startApi({ config: apiConfig, pool, log });
  const temporal = await connectTemporalClient({ address: config.temporal.address });
  const client = new Client({ connection: temporal.connection, namespace: config.temporal.namespace });
  const stack: TestStack = {
    config, client, pool, api, env, worker: null,
    async startWorker() {
      stack.worker = await startWorker({ config, pool, log, workflowBundle });
      return stack.worker;
    },
    async stop() {
      await stack.worker?.stop();
      await api.stop();
      await temporal.close();
      await pool.end();
    },
  };
  if (opts.worker !== false) await stack.startWorker();
  return stack;
}

/**
 * A merchant of its own for one test, with every sign type enabled. `signKey` is the key of `mode` (default test:
 * sandbox orders; live for tests of real channels), `keys` both of its secrets.
 */
export interface TestMerchant extends Merchant {
  signKey: string;
  mode: Mode;
  keys: { live: string; test: string };
}

export async function testMerchant(
  pool: Pool,
  settings: { notifyScheduleMs?: number[]; notifyStatuses?: PayStatus[]; mode?: Mode; signTypes?: SignType[] } = {},
): Promise<TestMerchant> {
  const created = await createMerchant(pool, testKeyring(), {
    mercNo: `T${randomUUID().replace(/-/g, '').slice(0, 15).toUpperCase()}`,
    name: 'Test merchant',
    signTypes: settings.signTypes ?? [...ALL_SIGN_TYPES],
    ...(settings.notifyScheduleMs ? { notifyScheduleMs: settings.notifyScheduleMs } : {}),
    ...(settings.notifyStatuses ? { notifyStatuses: settings.notifyStatuses } : {}),
  });
  const keys = { live: created.liveKey!, test: created.testKey! };
  const mode = settings.mode ?? 'test';
  return { ...created.merchant, mode, keys, signKey: keys[mode] };
}

/** The same merchant signing with its key of the other mode. */
export const inMode = (m: TestMerchant, mode: Mode): TestMerchant => ({ ...m, mode, signKey: m.keys[mode] });

/** Signs and POSTs a merchant request; returns HTTP status and parsed answer. */
export async function merchantCall(
  apiUrl: string,
  path: string,
  merchant: Pick<TestMerchant, 'mercNo' | 'signKey'>,
  fields: Record<string, string>,
): Promise<{ status: number; body: Record<string, string>; headers: Headers }> {
  const signType = (fields.signType ?? 'MD5') as FieldSignType;
  const payload = { ...fields, mercNo: merchant.mercNo, signType };
  const signature = sign(payload, merchant.signKey, signType);
  const res = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ...payload, signature }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string>, headers: res.headers };
}

/** Pays a sandbox order as the payer would (the cashier's API form). */
export async function payInSandbox(apiUrl: string, channelOrderNo: string, afterClose = false) {
  const res = await fetch(`${apiUrl}/sandbox/api/pay`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ channelOrderNo, afterClose }),
  });
  return { status: res.status, body: (await res.json()) as { paid: boolean; status: string } };
}

/** Polls `check` until it returns a value (readiness of an asynchronous outcome, not a fixed sleep). */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Worker and client logs at WARN and above only, once per test process.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process
}
