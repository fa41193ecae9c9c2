import { inTransaction, type Pool, type PoolClient } from '../db/pool';
import { lockMerchant, type Merchant } from '../db/merchants';
import { recordAdminAction } from '../db/admin-audit';
import { SupportError } from '../domain/errors';
import type { Keyring } from '../secrets/keyring';

/** What the merchant administration use cases run over (the admin API, the CLI through it, scripts/create-merchant.ts). */
export interface MerchantAdminEnv {
  pool: Pool;
  keyring: Keyring;
}

/** What an administrative change did: the audit row's redacted detail, and what the caller answers. */
export interface ChangeOutcome<T> {
  detail: Record<string, unknown>;
  result: T;
}

/**
 * One administrative change of an existing merchant: one transaction that locks the merchant's row, makes the
 * change and records one admin_audit row (actor, action, mercNo, `detail` — which never holds a key or a secret).
 * An unknown merchant is 404 not_found; nothing is written then.
 */
export async function changeMerchant<T>(
  env: MerchantAdminEnv, mercNo: string, actor: string, action: string,
  change: (tx: PoolClient, merchant: Merchant) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  return inTransaction(env.pool, async (tx) => {
    const merchant = await lockMerchant(tx, mercNo);
    if (!merchant) throw new SupportError('not_found', `merchant ${mercNo} does not exist`, 'mercNo');
    const { detail, result } = await change(tx, merchant);
    await recordAdminAction(tx, { actor, action, mercNo, detail });
    return result;
  });
}
