import type { Queryable } from '../../db/pool';
import type { Keyring } from '../../secrets/keyring';
import { findAlipayAccount, type StoredAlipayAccount } from './account-store';
import type { AlipaySettings } from './settings';

/** The Alipay application an order is made with. The private key is secret. */
export interface AlipayAccount {
  appId: string;
  privateKey: string;
  alipayPublicKey: string;
  gatewayUrl: string;
}

export type AlipayAccountResolver = (mercNo: string) => Promise<AlipayAccount | null>;

/** A merchant's own application first (its gateway defaulting to the platform's), else the platform's; null if none. */
export function resolveAlipayAccount(stored: StoredAlipayAccount | null, settings: AlipaySettings): AlipayAccount | null {
  if (stored) {
    return { appId: stored.appId, privateKey: stored.privateKey, alipayPublicKey: stored.alipayPublicKey, gatewayUrl: stored.gatewayUrl ?? settings.gatewayUrl };
  }
  if (settings.appId && settings.privateKey && settings.alipayPublicKey) {
    return { appId: settings.appId, privateKey: settings.privateKey, alipayPublicKey: settings.alipayPublicKey, gatewayUrl: settings.gatewayUrl };
  }
  return null;
}

export function alipayAccountResolver(db: Queryable, settings: AlipaySettings, keyring: Keyring): AlipayAccountResolver {
  return async (mercNo) => resolveAlipayAccount(await findAlipayAccount(db, keyring, mercNo), settings);
}
