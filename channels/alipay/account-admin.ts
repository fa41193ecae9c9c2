import { z } from 'zod';
import type { ChannelAccountAdmin } from '../plugin';
import { accountIdMatching, optionalBaseUrl, pem, privateKeyParses, publicKeyParses } from '../account-fields';
import { saveAlipayAccount } from './account-store';

const AlipayAccountSchema = z.object({
  appId: accountIdMatching(/^\d{8,32}$/, 'must be the application id (8 to 32 digits)').describe('The merchant\'s Alipay application id (app_id).'),
  privateKey: pem().describe('The application\'s RSA2 private key, PEM (secret: sealed at rest, never shown again).'),
  alipayPublicKey: pem().describe('Alipay\'s public key for this application, PEM: verifies answers and notifications.'),
  gatewayUrl: optionalBaseUrl().describe('Alipay\'s gateway for this merchant; absent or null = the platform\'s ALIPAY_GATEWAY_URL.'),
}).strict().describe('A merchant\'s own Alipay application.');

type AlipayAccountInput = z.infer<typeof AlipayAccountSchema>;

/** The admin API's way to set a merchant's Alipay application (table alipay_accounts). */
export const alipayAccountAdmin: ChannelAccountAdmin<AlipayAccountInput> = {
  schema: AlipayAccountSchema,
  problem: (a) => !privateKeyParses(a.privateKey) ? { field: 'privateKey', rule: 'must be a readable PEM private key' }
    : !publicKeyParses(a.alipayPublicKey) ? { field: 'alipayPublicKey', rule: 'must be a readable PEM public key' } : null,
  save: (db, keyring, mercNo, a) => saveAlipayAccount(db, keyring, {
    mercNo, appId: a.appId, privateKey: a.privateKey, alipayPublicKey: a.alipayPublicKey, gatewayUrl: a.gatewayUrl ?? null,
  }),
  describe: (a) => ({ appId: a.appId, gatewayUrl: a.gatewayUrl ?? null }),
};
