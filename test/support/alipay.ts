import { globalSetupBase, type TestStack } from './stack';
import { startStackOn, type StackBase } from './stack-core';
import { startAlipayEmulator, type AlipayApp, type AlipayEmulator } from '../../emulator/alipay';

export interface AlipayStack {
  stack: TestStack;
  emulator: AlipayEmulator;
  /** The platform's application at the emulator (ALIPAY_APP_ID…). */
  app: AlipayApp;
  stop(): Promise<void>;
}

/**
 * The real system (API + worker + Temporal + PostgreSQL) with Alipay as the default live channel, pointed at the
 * Alipay emulator, whose notification retries run at 1/1000 of Alipay's schedule (4 minutes → 240 ms).
 */
export async function startAlipayStack(
  env: Record<string, string> = {}, base: StackBase = globalSetupBase(), opts: Parameters<typeof startStackOn>[2] = {},
): Promise<AlipayStack> {
  const emulator = await startAlipayEmulator({ notifyScale: 0.001 });
  const app = emulator.createApp();
  const stack = await startStackOn(base, {
    DEFAULT_CHANNEL: 'alipay',
    ALIPAY_APP_ID: app.appId,
    ALIPAY_PRIVATE_KEY: app.privateKey,
    ALIPAY_PUBLIC_KEY: app.alipayPublicKey,
    ALIPAY_GATEWAY_URL: emulator.gatewayUrl,
    ALIPAY_TIMEOUT: '500ms',
    ...env,
  }, opts);
  return {
    stack, emulator, app,
    async stop() {
      await stack.stop();
      await emulator.stop();
    },
  };
}

/** The payer, at the emulator: scan a QR code, open a pay link / form / order string, pay. */
export async function payer(emulatorUrl: string, action: 'scan' | 'open' | 'pay', body: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${emulatorUrl}/_emulator/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** POSTs a raw body to the platform's Alipay notification endpoint, as Alipay would. */
export async function postAlipayNotify(apiUrl: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${apiUrl}/channels/alipay/notify`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
  return { status: res.status, text: await res.text() };
}
