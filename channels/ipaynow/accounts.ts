import type { Queryable } from '../../db/pool';
import type { Keyring } from '../../secrets/keyring';
import { findIpaynowAccount, type StoredIpaynowAccount } from './account-store';
import type { IpaynowSettings } from './settings';

/** The IPayNow application an order is pushed with: our appId there, its key and where to POST. The key is secret. */
export interface IpaynowAccount {
  appId: string;
  appKey: string;
  baseUrl: string;
}

export type AccountResolver = (mercNo: string) => Promise<IpaynowAccount | null>;

/** A merchant's own application first (its base URL defaulting to the platform's), else the platform's; null if none. */
export function resolveAccount(stored: StoredIpaynowAccount | null, settings: IpaynowSettings): IpaynowAccount | null {
  if (stored) {
    const baseUrl = stored.baseUrl ?? settings.baseUrl;
    return baseUrl ? { appId: stored.appId, appKey: stored.appKey, baseUrl } : null;
  }
  if (settings.appId && settings.appKey && settings.baseUrl) {
    return { appId: settings.appId, appKey: settings.appKey, baseUrl: settings.baseUrl };
  }
  return null;
}

export function accountResolver(db: Queryable, settings: IpaynowSettings, keyring: Keyring): AccountResolver {
  return async (mercNo) => resolveAccount(await findIpaynowAccount(db, keyring, mercNo), settings);
}
