import { z } from 'zod';
import type { ChannelAccountAdmin } from '../plugin';
import { accountIdMatching, optionalBaseUrl, pem, privateKeyParses } from '../account-fields';
import { APP_ID, MCH_ID, PLATFORM_SERIAL, SERIAL_NO } from './settings';
import { saveWechatpayAccount } from './account-store';
import { publicKeyOf } from './signing';

const WechatpayAccountSchema = z.object({
  mchId: accountIdMatching(MCH_ID, 'must be the merchant id at WeChat Pay (8 to 32 digits)').describe('The merchant id at WeChat Pay (mchid).'),
  appId: accountIdMatching(APP_ID, 'must be an appid (wx and 16 letters or digits)').describe('The application id (appid) the orders are made for.'),
  serialNo: accountIdMatching(SERIAL_NO, 'must be the API certificate serial number (8 to 40 hex digits)').describe('The serial number of the merchant\'s API certificate.'),
  privateKey: pem().describe('The API certificate\'s private key, PEM (secret: sealed at rest, never shown again).'),
  apiV3Key: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
    .regex(/^[\x21-\x7e]{32}$/, { error: 'must be 32 visible ASCII characters' })
    .describe('The APIv3 key (32 characters; secret: sealed at rest, never shown again).'),
  platformKeys: z.array(z.object({
    serial: accountIdMatching(PLATFORM_SERIAL, 'must be a public key id PUB_KEY_ID_… or a platform certificate serial (hex)').describe('The serial WeChat Pay sends in Wechatpay-Serial.'),
    publicKey: pem().describe('WeChat Pay\'s public key (or platform certificate), PEM.'),
  }).strict(), { error: 'must be a list of {serial, publicKey}' }).min(1, { error: 'must list at least one key' })
    .max(5, { error: 'must list at most 5 keys' })
    .refine((keys) => new Set(keys.map((k) => k.serial)).size === keys.length, { error: 'must list each serial once' })
    .describe('WeChat Pay\'s keys that verify answers and notifications, by serial.'),
  baseUrl: optionalBaseUrl().describe('WeChat Pay\'s API for this merchant; absent or null = the platform\'s WECHATPAY_BASE_URL.'),
}).strict().describe('A merchant\'s own WeChat Pay account (API v3).');

type WechatpayAccountInput = z.infer<typeof WechatpayAccountSchema>;

/** The admin API's way to set a merchant's WeChat Pay account (table wechatpay_accounts). */
export const wechatpayAccountAdmin: ChannelAccountAdmin<WechatpayAccountInput> = {
  schema: WechatpayAccountSchema,
  problem: (a) => {
    if (!privateKeyParses(a.privateKey)) return { field: 'privateKey', rule: 'must be a readable PEM private key' };
    const bad = a.platformKeys.findIndex((k) => publicKeyOf(k.publicKey) === null);
    return bad >= 0 ? { field: `platformKeys.${bad}.publicKey`, rule: 'must be a readable PEM RSA public key or certificate' } : null;
  },
  save: (db, keyring, mercNo, a) => saveWechatpayAccount(db, keyring, {
    mercNo, mchId: a.mchId, appId: a.appId, serialNo: a.serialNo, privateKey: a.privateKey, apiV3Key: a.apiV3Key,
    platformKeys: a.platformKeys, baseUrl: a.baseUrl ?? null,
  }),
  describe: (a) => ({ mchId: a.mchId, appId: a.appId, serialNo: a.serialNo, platformKeySerials: a.platformKeys.map((k) => k.serial), baseUrl: a.baseUrl ?? null }),
};
