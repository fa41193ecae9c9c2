import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { callTimeout } from '../shared';
import type { ChannelEnv } from '../plugin';
import { publicKeyOf, type PlatformKey } from './signing';

/** The platform's own WeChat Pay merchant account (merchants without one in wechatpay_accounts use it), base URL, timeout. */
export interface WechatpaySettings {
  account?: WechatpayCredentials;
  /** API v3 base: WeChat Pay's, or the emulator's locally. */
  baseUrl: string;
  timeoutMs: number;
}

/** One WeChat Pay merchant account's credentials. privateKey and apiV3Key are secret: never logged. */
export interface WechatpayCredentials {
  mchId: string;
  appId: string;
  /** The serial number of the merchant's API certificate (sent with every request). */
  serialNo: string;
  /** The merchant's API certificate private key, PEM. */
  privateKey: string;
  /** The APIv3 key: 32 characters, decrypts notification resources. */
  apiV3Key: string;
  /** WeChat Pay's keys that verify answers and notifications, by `Wechatpay-Serial`. */
  platformKeys: PlatformKey[];
}

export const WECHATPAY_BASE = 'https://api.mch.weixin.qq.com';
/** Answers and notifications whose Wechatpay-Timestamp is further from now than this are refused (WeChat Pay's advice). */
export const WECHATPAY_MAX_SKEW_MS = 5 * 60_000;

export const MCH_ID = /^\d{8,32}$/;
export const APP_ID = /^wx[0-9a-zA-Z]{16}$/;
export const SERIAL_NO = /^[0-9A-Fa-f]{8,40}$/;
export const API_V3_KEY = /^[\x21-\x7e]{32}$/;
/** A platform key's serial: a certificate serial (hex) or a WeChat Pay public key id. */
export const PLATFORM_SERIAL = /^(?:[0-9A-Fa-f]{8,40}|PUB_KEY_ID_[0-9A-Za-z_]{1,64})$/;

/** A PEM block from the environment, where line breaks are often written as `\n`. */
const pem = () => z.string().min(1).optional().transform((v) => v?.replace(/\\n/g, '\n'));

/**
 * A platform key from its PEM and, for a public key, its id: a certificate names its own serial (certificate mode);
 * a public key needs its `PUB_KEY_ID_…` (public-key mode). Null when the two do not make a key.
 */
export function platformKeyOf(publicKey: string, serial: string | undefined): PlatformKey | null {
  if (!publicKeyOf(publicKey)) return null;
  if (publicKey.includes('BEGIN CERTIFICATE')) {
    try {
      const certSerial = new X509Certificate(publicKey).serialNumber.toUpperCase();
      return serial === undefined || serial.toUpperCase() === certSerial ? { serial: certSerial, publicKey } : null;
    } catch {
      return null;
    }
  }
  return serial !== undefined && PLATFORM_SERIAL.test(serial) ? { serial, publicKey } : null;
}

const ACCOUNT_VARS = ['WECHATPAY_MCH_ID', 'WECHATPAY_APP_ID', 'WECHATPAY_SERIAL_NO', 'WECHATPAY_PRIVATE_KEY', 'WECHATPAY_API_V3_KEY', 'WECHATPAY_PLATFORM_PUBLIC_KEY'] as const;

const Schema = z.object({
  WECHATPAY_MCH_ID: z.string().regex(MCH_ID, 'must be the merchant id (digits)').optional(),
  WECHATPAY_APP_ID: z.string().regex(APP_ID, 'must be an appid (wx and 16 letters or digits)').optional(),
  WECHATPAY_SERIAL_NO: z.string().regex(SERIAL_NO, 'must be the API certificate serial number (hex)').optional(),
  WECHATPAY_PRIVATE_KEY: pem(),
  WECHATPAY_API_V3_KEY: z.string().regex(API_V3_KEY, 'must be the 32-character APIv3 key').optional(),
  WECHATPAY_PLATFORM_PUBLIC_KEY: pem(),
  WECHATPAY_PLATFORM_KEY_ID: z.string().regex(PLATFORM_SERIAL, 'must be a public key id PUB_KEY_ID_… or a certificate serial').optional(),
  WECHATPAY_BASE_URL: z.string().url().default(WECHATPAY_BASE).transform((u) => u.replace(/\/+$/, '')),
  /** A WeChat Pay call without an answer within this is UNKNOWN (resolved by later queries): 100ms to 20s. */
  WECHATPAY_TIMEOUT: callTimeout('10s'),
}).superRefine((e, ctx) => {
  const missing = ACCOUNT_VARS.filter((v) => e[v] === undefined);
  if (missing.length !== 0 && missing.length !== ACCOUNT_VARS.length) {
    ctx.addIssue({ code: 'custom', path: [missing[0]!], message: `${ACCOUNT_VARS.join(', ')} go together` });
  }
  if (e.WECHATPAY_PRIVATE_KEY !== undefined && !/-----BEGIN (RSA )?PRIVATE KEY-----/.test(e.WECHATPAY_PRIVATE_KEY)) {
    ctx.addIssue({ code: 'custom', path: ['WECHATPAY_PRIVATE_KEY'], message: 'must be a PEM private key (-----BEGIN … PRIVATE KEY-----)' });
  }
  if (e.WECHATPAY_PLATFORM_PUBLIC_KEY !== undefined && !platformKeyOf(e.WECHATPAY_PLATFORM_PUBLIC_KEY, e.WECHATPAY_PLATFORM_KEY_ID)) {
    ctx.addIssue({
      code: 'custom', path: ['WECHATPAY_PLATFORM_PUBLIC_KEY'],
      message: 'must be a PEM RSA public key with WECHATPAY_PLATFORM_KEY_ID (public-key mode), or a PEM platform certificate (its serial, if WECHATPAY_PLATFORM_KEY_ID is given, must match)',
    });
  }
});

/** Reads WECHATPAY_*; a bad value throws naming the variable (issues never quote the value). */
export function loadWechatpaySettings(env: ChannelEnv): WechatpaySettings {
  const e = Schema.parse(env);
  const platformKey = e.WECHATPAY_PLATFORM_PUBLIC_KEY ? platformKeyOf(e.WECHATPAY_PLATFORM_PUBLIC_KEY, e.WECHATPAY_PLATFORM_KEY_ID) : null;
  const account: WechatpayCredentials | undefined = e.WECHATPAY_MCH_ID && e.WECHATPAY_APP_ID && e.WECHATPAY_SERIAL_NO && e.WECHATPAY_PRIVATE_KEY && e.WECHATPAY_API_V3_KEY && platformKey
    ? {
      mchId: e.WECHATPAY_MCH_ID, appId: e.WECHATPAY_APP_ID, serialNo: e.WECHATPAY_SERIAL_NO.toUpperCase(), privateKey: e.WECHATPAY_PRIVATE_KEY,
      apiV3Key: e.WECHATPAY_API_V3_KEY, platformKeys: [platformKey],
    }
    : undefined;
  return { ...(account ? { account } : {}), baseUrl: e.WECHATPAY_BASE_URL, timeoutMs: e.WECHATPAY_TIMEOUT };
}
