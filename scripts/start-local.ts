import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir, repoRoot } from '../devstack/paths';
import { databaseFromEnvOrEmbedded } from '../devstack/postgres';
import { describeTemporalMode, startLocalTemporal } from '../devstack/local-temporal';
import { loadDevstackConfig, localPollerLayout } from '../config/devstack';
import { runEntryPoint } from '../devstack/child';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { ensureDemoMerchant } from '../db/merchants';
import { prepareDemoChannel } from '../devstack/demo-channel';
import { ensureSupportAdmin } from '../devstack/support-admin';
import { ensureLocalAdminOperator } from '../devstack/admin-operator';
import { ensureLocalMasterKeys } from '../devstack/master-keys';

/**
 * `npm start`: the whole system on this machine with embedded defaults — PostgreSQL (DATABASE_URL or embedded) and
 * Temporal (TEMPORAL_MODE: the dev server with its SQLite file and Web UI, or the Temporal server on that PostgreSQL),
 * then the worker, the poller (LOCAL_POLLER: a process of its own at a lower CPU priority, or inside the worker) and the
 * API as their own processes. State lives in .data/, so orders survive a restart. Ctrl-C
 * stops everything.
 */
const env = process.env;
const apiPort = env.API_PORT ?? '8080';
const adminPort = env.ADMIN_PORT ?? '8081';
const workerHttpPort = env.WORKER_HTTP_PORT ?? '9464';
const pollerHttpPort = env.POLLER_HTTP_PORT ?? '9465';
const temporalPort = Number(env.TEMPORAL_PORT ?? 7233);
const uiPort = Number(env.TEMPORAL_UI_PORT ?? 8233);
const say = (m: string) => console.log(`[start] ${m}`);

async function main(): Promise<void> {
  const devstack = loadDevstackConfig(env);
  mkdirSync(dataDir, { recursive: true });
  say(`starting PostgreSQL and Temporal: ${describeTemporalMode(devstack)} (the first start may build it with Go: minutes)…`);
  const pgStart = databaseFromEnvOrEmbedded({ dataDir: join(dataDir, 'postgres'), port: Number(env.PG_PORT ?? 54329), log: say });
  const [pg, temporal] = await Promise.all([
    pgStart,
    startLocalTemporal(devstack, {
      dbFile: join(dataDir, 'temporal.sqlite'),
      serverDir: join(dataDir, 'temporal-server'),
      databaseUrl: async () => (await pgStart).url,
      port: temporalPort,
      uiPort,
      log: say,
    }),
  ]);

  const pool = createPool(pg.url, 2);
  await migrate(pool);
  const masterKeys = ensureLocalMasterKeys(env); // merchant and channel keys sealed at rest, as in production
  const merchant = await ensureDemoMerchant(pool, masterKeys.keyring);
  const demo = await prepareDemoChannel(pool, env, say); // DEMO_CHANNEL=ipaynow|alipay|wechatpay: that emulator beside the stack
  await pool.end();

  const support = ensureSupportAdmin(env); // the support API's operator credential: generated into .data/ on the first start
  const adminOperator = ensureLocalAdminOperator(env); // the admin API's: the same, the API gets only its SHA-256
  const childEnv: Record<string, string> = {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    API_PORT: apiPort,
    ADMIN_PORT: adminPort, // the admin listener: support API, metrics, detailed readiness (loopback only)
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    // The demo's merchant endpoint (the merchant CLI's own receiver, `npm run merchant -- demo | receive`) is on this machine.
    NOTIFY_ALLOW_PRIVATE: env.NOTIFY_ALLOW_PRIVATE ?? 'true',
    ...demo.env,
    ...masterKeys.env,
    SUPPORT_OPERATORS: support.operators,
    ADMIN_OPERATORS: adminOperator.operators,
  };
  const layout = localPollerLayout(devstack);
  const worker = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...childEnv, ...layout.workerEnv, WORKER_HTTP_PORT: workerHttpPort });
  const poller = layout.pollerEntry ? runEntryPoint(join(repoRoot, layout.pollerEntry), { ...childEnv, POLLER_HTTP_PORT: pollerHttpPort }) : null;
  const api = runEntryPoint(join(repoRoot, 'api/main.ts'), childEnv);
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.allSettled([api.stop(), worker.stop(), poller?.stop()]);
    await Promise.allSettled([temporal.stop(), pg.stop(), demo.stop()]);
    say('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));
  worker.child.once('exit', () => void stopAll(1));
  api.child.once('exit', () => void stopAll(1));
  poller?.child.once('exit', () => void stopAll(1));

  const [, apiReady] = await Promise.all([worker.ready, api.ready, poller?.ready]);
  const demoMode = demo.channel === 'sandbox' ? 'test' : 'live';
  const keyOf = (mode: 'live' | 'test') => merchant.keys.find((k) => k.mode === mode)?.secret;
  const apiUrl = String(apiReady.url);
  const adminUrl = String(apiReady.adminUrl);
  writeFileSync(
    join(dataDir, 'demo-merchant.json'),
    `${JSON.stringify({
      mercNo: merchant.mercNo,
      // The demo signs with its test key (sandbox orders); DEMO_CHANNEL=ipaynow makes live orders at the emulator.
      mode: demoMode,
      key: keyOf(demoMode),
      liveKey: keyOf('live'),
      testKey: keyOf('test'),
      apiUrl,
      ...(demo.channel === 'alipay' ? { alipayEmulatorUrl: demo.emulatorUrl }
        : demo.channel === 'wechatpay' ? { wechatpayEmulatorUrl: demo.emulatorUrl } : { ipaynowEmulatorUrl: demo.emulatorUrl }),
    }, null, 2)}\n`,
    { mode: 0o600 },
  );
  support.save(adminUrl);
  adminOperator.save(adminUrl);
  console.log(`
  Payment orchestrator is running.

    API            ${apiUrl}   (POST /api/pay — tradeType 02/03: payouts —, /api/query, /api/close, /api/refund, /api/refund/query; docs at /docs)
    Admin          ${adminUrl}   (support API, admin API, support console at /console, /metrics, /readyz with details; docs at /docs; keep it internal)
    Health/metrics ${adminUrl}/readyz  ${adminUrl}/metrics  (worker: http://127.0.0.1:${workerHttpPort}/readyz, /metrics${poller ? `; poller: http://127.0.0.1:${pollerHttpPort}/readyz, /metrics` : ''})
    Temporal UI    ${temporal.uiUrl ?? (devstack.temporalMode === 'server' ? '(none in server mode: TEMPORAL_MODE=dev has one)' : '(headless)')}
    Temporal gRPC  ${temporal.address}   (${describeTemporalMode(devstack)})
    PostgreSQL     ${pg.embedded ? 'embedded, data in .data/postgres' : 'DATABASE_URL'}

    Demo merchant  mercNo ${merchant.mercNo}
                   ${demoMode} mode; keys in .data/demo-merchant.json (mode 0600; the merchant CLI reads it)
                   channel ${demo.channel}${demo.emulatorUrl ? ` (emulator at ${demo.emulatorUrl})` : ' (DEMO_CHANNEL=ipaynow, alipay or wechatpay: an emulator)'}

    Support API    ${adminUrl}/support/v1   Authorization: Bearer <token>
                   ${support.display}
    Admin API      ${adminUrl}/admin/v1   merchants, keys, routes, accounts, limits (npm run admin)
                   ${adminOperator.display}

  Try it in another terminal:
    npm run merchant -- demo           # place an order, pay it (sandbox or emulator), query it
    npm run merchant -- receive        # a local notification endpoint; then, in another terminal:
    npm run merchant -- pay --notify-url <its URL>   # place an order and print its pay link
    npm run merchant -- payout --notify-url <its URL> --payee-account 13800000000 --payee-name Payee   # a payout
    npm run support -- show <orderId>  # an order's timeline: audit, channel calls, notification attempts

  Ctrl-C stops everything; orders are kept for the next start.
`);
}

main().catch((err: unknown) => {
  console.error(`[start] failed: ${(err as Error).message}`);
  process.exit(1);
});
