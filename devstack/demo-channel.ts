import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { dataDir } from './paths';
import type { Pool } from '../db/pool';
import { deleteChannelRoute, setChannelRoute } from '../db/channel-routes';
import { DEMO_MERC_NO } from '../db/merchants';
import { startIpaynowEmulator, type IpaynowEmulator } from '../emulator/ipaynow';
import { startAlipayEmulator } from '../emulator/alipay';
import { startWechatpayEmulator } from '../emulator/wechatpay';

export interface DemoChannel {
  channel: 'sandbox' | 'ipaynow' | 'alipay' | 'wechatpay';
  /** Variables for the worker and API processes (the platform's application at the emulator). */
  env: Record<string, string>;
  emulatorUrl: string | null;
  stop(): Promise<void>;
}

interface EmulatorApp { appId: string; appKey: string }

/**
 * `npm start` with DEMO_CHANNEL=ipaynow: starts the IPayNow emulator beside the stack (IPAYNOW_EMULATOR_PORT, default
 * 8090; N001 retries at IPAYNOW_EMULATOR_NOTIFY_SCALE × IPayNow's schedule, default 1) with an app whose key is kept
 * in .data/ipaynow-emulator.json, and routes every payway of the demo merchant to IPayNow: the demo then signs with
 * its live key. Otherwise (default sandbox) the demo signs with its test key, whose orders the sandbox serves. Emulated orders live in memory: a restart forgets them.
 */
export async function prepareDemoChannel(db: Pool, env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<DemoChannel> {
  const channel = env.DEMO_CHANNEL ?? 'sandbox';
  if (channel !== 'sandbox' && channel !== 'ipaynow' && channel !== 'alipay' && channel !== 'wechatpay') {
    throw new Error(`DEMO_CHANNEL must be sandbox, ipaynow, alipay or wechatpay, not ${channel}`);
  }
  // Test orders (the demo's default, its test key) always go to the sandbox; live ones need a real channel's route.
  if (channel === 'sandbox') {
    await deleteChannelRoute(db, DEMO_MERC_NO, '*');
    return { channel, env: {}, emulatorUrl: null, stop: async () => undefined };
  }
  await setChannelRoute(db, DEMO_MERC_NO, '*', channel);
  if (channel === 'alipay') return startAlipayDemo(env, log);
  if (channel === 'wechatpay') return startWechatpayDemo(env, log);

  const app = emulatorApp();
  const emulator: IpaynowEmulator = await startIpaynowEmulator({
    port: Number(env.IPAYNOW_EMULATOR_PORT ?? 8090),
    apps: { [app.appId]: app.appKey },
    notifyScale: Number(env.IPAYNOW_EMULATOR_NOTIFY_SCALE ?? 1),
    log: (line) => log(`ipaynow emulator: ${line}`),
  });
  log(`IPayNow emulator on ${emulator.url}; the demo merchant's payways are routed to it`);
  return {
    channel,
    env: { IPAYNOW_APP_ID: app.appId, IPAYNOW_APP_KEY: app.appKey, IPAYNOW_BASE_URL: emulator.url },
    emulatorUrl: emulator.url,
    stop: () => emulator.stop(),
  };
}

function emulatorApp(): EmulatorApp {
  const file = join(dataDir, 'ipaynow-emulator.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as EmulatorApp;
  const app: EmulatorApp = { appId: `EMU${Date.now()}`, appKey: randomBytes(16).toString('hex') };
  writeFileSync(file, `${JSON.stringify(app, null, 2)}\n`, { mode: 0o600 });
  return app;
}

/**
 * DEMO_CHANNEL=alipay: the Alipay emulator (ALIPAY_EMULATOR_PORT, default 8091; notification retries at
 * ALIPAY_EMULATOR_NOTIFY_SCALE × Alipay's schedule, default 1) with an application whose key pairs it generates at
 * start (held in memory only: a restart makes new ones, and the processes get them through their environment).
 */
async function startAlipayDemo(env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<DemoChannel> {
  const emulator = await startAlipayEmulator({
    port: Number(env.ALIPAY_EMULATOR_PORT ?? 8091),
    notifyScale: Number(env.ALIPAY_EMULATOR_NOTIFY_SCALE ?? 1),
    log: (line) => log(`alipay emulator: ${line}`),
  });
  const app = emulator.createApp();
  log(`Alipay emulator on ${emulator.url}; the demo merchant's payways are routed to it`);
  return {
    channel: 'alipay',
    env: { ALIPAY_APP_ID: app.appId, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: app.alipayPublicKey, ALIPAY_GATEWAY_URL: emulator.gatewayUrl },
    emulatorUrl: emulator.url,
    stop: () => emulator.stop(),
  };
}

/**
 * DEMO_CHANNEL=wechatpay: the WeChat Pay emulator (WECHATPAY_EMULATOR_PORT, default 8092; notification retries at
 * WECHATPAY_EMULATOR_NOTIFY_SCALE × WeChat Pay's schedule, default 1) with a merchant account whose keys and APIv3 key
 * it generates at start (held in memory only: a restart makes new ones, and the processes get them through their
 * environment). The demo's payway is wxpay (the merchant CLI picks it when it sees this emulator).
 */
async function startWechatpayDemo(env: NodeJS.ProcessEnv, log: (m: string) => void): Promise<DemoChannel> {
  const emulator = await startWechatpayEmulator({
    port: Number(env.WECHATPAY_EMULATOR_PORT ?? 8092),
    notifyScale: Number(env.WECHATPAY_EMULATOR_NOTIFY_SCALE ?? 1),
    log: (line) => log(`wechatpay emulator: ${line}`),
  });
  const m = emulator.createMerchant('publicKey');
  log(`WeChat Pay emulator on ${emulator.url}; the demo merchant's payways are routed to it`);
  return {
    channel: 'wechatpay',
    env: {
      WECHATPAY_MCH_ID: m.mchId, WECHATPAY_APP_ID: m.appId, WECHATPAY_SERIAL_NO: m.serialNo, WECHATPAY_PRIVATE_KEY: m.privateKey,
      WECHATPAY_API_V3_KEY: m.apiV3Key, WECHATPAY_PLATFORM_PUBLIC_KEY: m.platformPublicKey, WECHATPAY_PLATFORM_KEY_ID: m.platformSerial,
      WECHATPAY_BASE_URL: emulator.url,
    },
    emulatorUrl: emulator.url,
    stop: () => emulator.stop(),
  };
}
