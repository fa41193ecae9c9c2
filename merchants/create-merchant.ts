import { inTransaction } from '../db/pool';
import { createMerchant, setMerchantLimits, type Merchant } from '../db/merchants';
import { recordAdminAction } from '../db/admin-audit';
import { SupportError } from '../domain/errors';
import type { SignType } from '../domain/signing';
import type { MerchantAdminEnv } from './admin-change';

export interface NewMerchantRequest {
  mercNo: string;
  name: string;
  /** Default: HMAC-SHA256-RAW only. */
  signTypes?: SignType[];
  /** Notification retry delays (ms); absent = the platform's NOTIFY_RETRY_SCHEDULE. */
  notifyScheduleMs?: number[];
  maxOpenOrders?: number;
  refundWindowDays?: number;
}

export interface CreatedMerchantKeys {
  merchant: Merchant;
  /** The new live and test keys: returned once (the caller hands them over in a 0600 file), never stored in plaintext or logged. */
  liveKey: string;
  testKey: string;
}

/**
 * Creates a merchant with a live and a test key (sealed under the keyring) in one transaction with its audit row
 * (`merchant.create`, the settings in the detail, no key). A merchant number that exists is 409 conflict.
 */
export async function createMerchantAccount(env: MerchantAdminEnv, m: NewMerchantRequest, actor: string): Promise<CreatedMerchantKeys> {
  return inTransaction(env.pool, async (tx) => {
    const created = await createMerchant(tx, env.keyring, {
      mercNo: m.mercNo, name: m.name,
      ...(m.signTypes ? { signTypes: m.signTypes } : {}),
      ...(m.notifyScheduleMs ? { notifyScheduleMs: m.notifyScheduleMs } : {}),
    });
    if (created.liveKey === null || created.testKey === null) throw new SupportError('conflict', `merchant ${m.mercNo} exists already`, 'mercNo');
    let merchant = created.merchant;
    if (m.maxOpenOrders !== undefined || m.refundWindowDays !== undefined) {
      const limits = { maxOpenOrders: m.maxOpenOrders ?? null, refundWindowDays: m.refundWindowDays ?? null, rateLimitRps: null, rateLimitBurst: null };
      await setMerchantLimits(tx, m.mercNo, limits);
      merchant = { ...merchant, ...limits };
    }
    await recordAdminAction(tx, {
      actor, action: 'merchant.create', mercNo: m.mercNo,
      detail: {
        name: merchant.name, signTypes: merchant.signTypes, notifyScheduleMs: merchant.notifyScheduleMs,
        maxOpenOrders: merchant.maxOpenOrders, refundWindowDays: merchant.refundWindowDays, keys: ['live', 'test'],
      },
    });
    return { merchant, liveKey: created.liveKey, testKey: created.testKey };
  });
}
