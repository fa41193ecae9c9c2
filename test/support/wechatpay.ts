import { globalSetupBase, type TestStack } from './stack';
import { startStackOn, type StackBase } from './stack-core';
import { startWechatpayEmulator, type WechatpayEmulator, type WechatpayMerchant } from '../../emulator/wechatpay';

export interface WechatpayStack {
  stack: TestStack;
  emulator: WechatpayEmulator;
  /** The platform's merchant account at the emulator (WECHATPAY_MCH_ID…), in platform-certificate mode. */
  merchant: WechatpayMerchant;
  stop(): Promise<void>;
}

/** The platform's WECHATPAY_* variables for a merchant account at the emulator. */
export const wechatpayEnv = (m: WechatpayMerchant, baseUrl: string): Record<string, string> => ({
  WECHATPAY_MCH_ID: m.mchId,
  WECHATPAY_APP_ID: m.appId,
  WECHATPAY_SERIAL_NO: m.serialNo,
  WECHATPAY_PRIVATE_KEY: m.privateKey,
  WECHATPAY_API_V3_KEY: m.apiV3Key,
  WECHATPAY_PLATFORM_PUBLIC_KEY: m.platformPublicKey,
  WECHATPAY_PLATFORM_KEY_ID: m.platformSerial,
  WECHATPAY_BASE_URL: baseUrl,
});

/**
 * The real system (API + worker + Temporal + PostgreSQL) with WeChat Pay as the default live channel, pointed at the
 * WeChat Pay emulator, whose notification retries run at 1/1000 of WeChat Pay's schedule (15 s → 15 ms).
 */
export async function startWechatpayStack(env: Record<string, string> = {}, base: StackBase = globalSetupBase()): Promise<WechatpayStack> {
  const emulator = await startWechatpayEmulator({ notifyScale: 0.001, refundDelayMs: 100 });
  const merchant = emulator.createMerchant('certificate');
  const stack = await startStackOn(base, {
    DEFAULT_CHANNEL: 'wechatpay',
    ...wechatpayEnv(merchant, emulator.url),
    WECHATPAY_TIMEOUT: '500ms',
    ...env,
  });
  return {
    stack, emulator, merchant,
    async stop() {
      await stack.stop();
      await emulator.stop();
    },
  };
}

/** The payer, at the emulator: scan a QR code, open an h5_url or payInfo, pay. */
export async function wechatPayer(emulatorUrl: string, action: 'scan' | 'open' | 'pay', body: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emulatorUrl}/_emulator/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** POSTs a notification to the platform's WeChat Pay endpoint, as WeChat Pay would. */
export async function postWechatpayNotify(apiUrl: string, message: { body: string; headers: Record<string, string> }): Promise<{ status: number; body: string }> {
  const res = await fetch(`${apiUrl}/channels/wechatpay/notify`, { method: 'POST', headers: { ...message.headers, 'Content-Type': 'application/json' }, body: message.body });
  return { status: res.status, body: await res.text() };
}
