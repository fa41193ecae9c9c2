import { startStackOn, type StackBase, type TestStack } from './stack-core';
import { startIpaynowEmulator, type IpaynowEmulator } from '../../emulator/ipaynow';

export const PLATFORM_APP_ID = 'PLATFORMAPP00001';
export const PLATFORM_APP_KEY = 'platform-app-key-for-tests';

export interface IpaynowStack {
  stack: TestStack;
  emulator: IpaynowEmulator;
  stop(): Promise<void>;
}

/**
 * The real system (API + worker + Temporal + PostgreSQL) with IPayNow as the default channel, pointed at an emulator
 * whose N001 retry schedule runs at 1/1000 (2 minutes → 120 ms).
 */
export async function startIpaynowStackOn(base: StackBase, env: Record<string, string> = {}, opts: Parameters<typeof startStackOn>[2] = {}): Promise<IpaynowStack> {
  const emulator = await startIpaynowEmulator({ apps: { [PLATFORM_APP_ID]: PLATFORM_APP_KEY }, notifyScale: 0.001 });
  const stack = await startStackOn(base, {
    DEFAULT_CHANNEL: 'ipaynow',
    IPAYNOW_APP_ID: PLATFORM_APP_ID,
    IPAYNOW_APP_KEY: PLATFORM_APP_KEY,
    IPAYNOW_BASE_URL: emulator.url,
    IPAYNOW_TIMEOUT: '500ms',
    ...env,
  }, opts);
  return {
    stack,
    emulator,
    async stop() {
      await stack.stop();
      await emulator.stop();
    },
  };
}
