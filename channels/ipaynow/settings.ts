import { z } from 'zod';
import { callTimeout } from '../shared';
import type { ChannelEnv } from '../plugin';

/** The platform's IPayNow application (merchants without their own in ipaynow_accounts use it) and the call timeout. */
export interface IpaynowSettings {
  appId?: string;
  appKey?: string;
  baseUrl?: string;
  timeoutMs: number;
}

const Schema = z.object({
  /** The platform's application. Secret (the key): never logged. */
  IPAYNOW_APP_ID: z.string().min(1).optional(),
  IPAYNOW_APP_KEY: z.string().min(1).optional(),
  /** Where WP001 and MQ002 are POSTed (the emulator's URL locally). */
  IPAYNOW_BASE_URL: z.string().url().optional(),
  /** An IPayNow call without an answer within this is UNKNOWN (resolved by later queries): 100ms to 20s. */
  IPAYNOW_TIMEOUT: callTimeout('10s'),
}).superRefine((e, ctx) => {
  if ((e.IPAYNOW_APP_ID === undefined) !== (e.IPAYNOW_APP_KEY === undefined)) {
    const missing = e.IPAYNOW_APP_ID === undefined ? 'IPAYNOW_APP_ID' : 'IPAYNOW_APP_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'IPAYNOW_APP_ID and IPAYNOW_APP_KEY go together' });
  }
  if (e.IPAYNOW_APP_ID !== undefined && e.IPAYNOW_BASE_URL === undefined) {
    ctx.addIssue({ code: 'custom', path: ['IPAYNOW_BASE_URL'], message: 'is required with IPAYNOW_APP_ID' });
  }
});

/** Reads IPAYNOW_*; a bad value throws naming the variable (issues never quote the value). */
export function loadIpaynowSettings(env: ChannelEnv): IpaynowSettings {
  const e = Schema.parse(env);
  return {
    ...(e.IPAYNOW_APP_ID ? { appId: e.IPAYNOW_APP_ID } : {}),
    ...(e.IPAYNOW_APP_KEY ? { appKey: e.IPAYNOW_APP_KEY } : {}),
    ...(e.IPAYNOW_BASE_URL ? { baseUrl: e.IPAYNOW_BASE_URL } : {}),
    timeoutMs: e.IPAYNOW_TIMEOUT,
  };
}
