import { z } from 'zod';
import { callTimeout } from '../shared';
import type { ChannelEnv } from '../plugin';

/** The platform's Alipay application (merchants without their own in alipay_accounts use it), gateway and timeout. */
export interface AlipaySettings {
  appId?: string;
  /** The application's RSA2 private key, PEM (PKCS#8 or PKCS#1). Secret: never logged. */
  privateKey?: string;
  /** Alipay's public key for the application, PEM: verifies answers and notifications. */
  alipayPublicKey?: string;
  /** OpenAPI v2 gateway (gateway.do): Alipay's, or the emulator's locally. */
  gatewayUrl: string;
  timeoutMs: number;
}

export const ALIPAY_GATEWAY = 'https://openapi.alipay.com/gateway.do';

/** A PEM block from the environment, where line breaks are often written as `\n`. */
const pem = () => z.string().min(1).optional().transform((v) => v?.replace(/\\n/g, '\n'));

const Schema = z.object({
  ALIPAY_APP_ID: z.string().regex(/^\d{8,32}$/, 'must be the application id (digits)').optional(),
  ALIPAY_PRIVATE_KEY: pem(),
  ALIPAY_PUBLIC_KEY: pem(),
  ALIPAY_GATEWAY_URL: z.string().url().default(ALIPAY_GATEWAY),
  /** An Alipay call without an answer within this is UNKNOWN (resolved by later queries): 100ms to 20s. */
  ALIPAY_TIMEOUT: callTimeout('10s'),
}).superRefine((e, ctx) => {
  const set = [e.ALIPAY_APP_ID, e.ALIPAY_PRIVATE_KEY, e.ALIPAY_PUBLIC_KEY].filter((v) => v !== undefined).length;
  if (set !== 0 && set !== 3) {
    const missing = e.ALIPAY_APP_ID === undefined ? 'ALIPAY_APP_ID' : e.ALIPAY_PRIVATE_KEY === undefined ? 'ALIPAY_PRIVATE_KEY' : 'ALIPAY_PUBLIC_KEY';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'ALIPAY_APP_ID, ALIPAY_PRIVATE_KEY and ALIPAY_PUBLIC_KEY go together' });
  }
  for (const [name, value, marker] of [['ALIPAY_PRIVATE_KEY', e.ALIPAY_PRIVATE_KEY, 'PRIVATE KEY'], ['ALIPAY_PUBLIC_KEY', e.ALIPAY_PUBLIC_KEY, 'PUBLIC KEY']] as const) {
    if (value !== undefined && !value.includes(`-----BEGIN ${value.includes('RSA ') ? 'RSA ' : ''}${marker}-----`)) {
      ctx.addIssue({ code: 'custom', path: [name], message: `must be a PEM ${marker.toLowerCase()} (-----BEGIN … ${marker}-----)` });
    }
  }
});

/** Reads ALIPAY_*; a bad value throws naming the variable (issues never quote the value). */
export function loadAlipaySettings(env: ChannelEnv): AlipaySettings {
  const e = Schema.parse(env);
  return {
    ...(e.ALIPAY_APP_ID ? { appId: e.ALIPAY_APP_ID } : {}),
    ...(e.ALIPAY_PRIVATE_KEY ? { privateKey: e.ALIPAY_PRIVATE_KEY } : {}),
    ...(e.ALIPAY_PUBLIC_KEY ? { alipayPublicKey: e.ALIPAY_PUBLIC_KEY } : {}),
    gatewayUrl: e.ALIPAY_GATEWAY_URL,
    timeoutMs: e.ALIPAY_TIMEOUT,
  };
}
