import type { Queryable } from '../../db/pool';
import type { Keyring } from '../../secrets/keyring';
import { findWechatpayAccount, wechatpayAccountsWithSerial, type StoredWechatpayAccount } from './account-store';
import type { WechatpayCredentials, WechatpaySettings } from './settings';

/** The WeChat Pay merchant account an order is made with, and where its API is. Its keys are secret. */
export interface WechatpayAccount extends WechatpayCredentials {
  baseUrl: string;
}

/** A merchant's own account first (its base URL defaulting to the platform's), else the platform's; null if none. */
export function resolveWechatpayAccount(stored: StoredWechatpayAccount | null, settings: WechatpaySettings): WechatpayAccount | null {
  if (stored) {
    const { mercNo: _m, baseUrl, ...credentials } = stored;
    return { ...credentials, baseUrl: baseUrl ?? settings.baseUrl };
  }
  return settings.account ? { ...settings.account, baseUrl: settings.baseUrl } : null;
}

export interface WechatpayAccounts {
  /** The account that serves a merchant's orders. */
  of(mercNo: string): Promise<WechatpayAccount | null>;
  /** The accounts holding a WeChat Pay key of this serial (the platform's first); at most a few. */
  withSerial(serial: string): Promise<WechatpayAccount[]>;
}

const MAX_ACCOUNTS_PER_SERIAL = 16;

export function wechatpayAccounts(db: Queryable, settings: WechatpaySettings, keyring: Keyring): WechatpayAccounts {
  return {
    of: async (mercNo) => resolveWechatpayAccount(await findWechatpayAccount(db, keyring, mercNo), settings),
    async withSerial(serial) {
      const platform = settings.account?.platformKeys.some((k) => k.serial === serial) ? [resolveWechatpayAccount(null, settings)!] : [];
      const stored = await wechatpayAccountsWithSerial(db, keyring, serial, MAX_ACCOUNTS_PER_SERIAL);
      return [...platform, ...stored.map((s) => resolveWechatpayAccount(s, settings)!)];
    },
  };
}
