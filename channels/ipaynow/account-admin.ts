import { z } from 'zod';
import type { ChannelAccountAdmin } from '../plugin';
import { accountId, optionalBaseUrl } from '../account-fields';
import { saveIpaynowAccount } from './account-store';

const IpaynowAccountSchema = z.object({
  appId: accountId(64).describe('The merchant\'s IPayNow application id (appId).'),
  appKey: accountId(256).describe('The application\'s MD5 signing key (secret: sealed at rest, never shown again).'),
  baseUrl: optionalBaseUrl().describe('IPayNow\'s gateway for this merchant; absent or null = the platform\'s IPAYNOW_BASE_URL.'),
}).strict().describe('A merchant\'s own IPayNow application.');

/** The admin API's way to set a merchant's IPayNow application (table ipaynow_accounts). */
export const ipaynowAccountAdmin: ChannelAccountAdmin<z.infer<typeof IpaynowAccountSchema>> = {
  schema: IpaynowAccountSchema,
  save: (db, keyring, mercNo, a) => saveIpaynowAccount(db, keyring, { mercNo, appId: a.appId, appKey: a.appKey, baseUrl: a.baseUrl ?? null }),
  describe: (a) => ({ appId: a.appId, baseUrl: a.baseUrl ?? null }),
};
