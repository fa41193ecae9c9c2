import type { Queryable } from '../../db/pool';
import { resealColumn } from '../../db/reseal';
import { open, seal, type Keyring } from '../../secrets/keyring';

const PURPOSE = 'alipay-private-key';

/** A merchant's own Alipay application (table alipay_accounts). gatewayUrl null = the platform's ALIPAY_GATEWAY_URL. */
export interface StoredAlipayAccount {
  mercNo: string;
  appId: string;
  privateKey: string;
  alipayPublicKey: string;
  gatewayUrl: string | null;
}

interface Row { merc_no: string; app_id: string; private_key: string; alipay_public_key: string; gateway_url: string | null }

/** The account with its private key opened (stored sealed under MASTER_KEYS, see secrets/keyring.ts). */
export async function findAlipayAccount(db: Queryable, keyring: Keyring, mercNo: string): Promise<StoredAlipayAccount | null> {
  const { rows } = await db.query<Row>(
    'SELECT merc_no, app_id, private_key, alipay_public_key, gateway_url FROM alipay_accounts WHERE merc_no = $1', [mercNo]);
  const r = rows[0];
  return r ? {
    mercNo: r.merc_no, appId: r.app_id, privateKey: open(keyring, PURPOSE, r.private_key), alipayPublicKey: r.alipay_public_key,
    gatewayUrl: r.gateway_url,
  } : null;
}

/** Re-seals every stored private key under the keyring's current master key; returns how many changed. */
export const resealAlipayAccounts = (db: Queryable, keyring: Keyring): Promise<number> =>
  resealColumn(db, keyring, { table: 'alipay_accounts', idColumn: 'merc_no', secretColumn: 'private_key', purpose: PURPOSE });

/** Creates or replaces a merchant's Alipay application. */
export async function saveAlipayAccount(db: Queryable, keyring: Keyring, a: StoredAlipayAccount): Promise<void> {
  await db.query(
    `INSERT INTO alipay_accounts (merc_no, app_id, private_key, alipay_public_key, gateway_url) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (merc_no) DO UPDATE SET app_id = EXCLUDED.app_id, private_key = EXCLUDED.private_key,
       alipay_public_key = EXCLUDED.alipay_public_key, gateway_url = EXCLUDED.gateway_url, updated_at = now()`,
    [a.mercNo, a.appId, seal(keyring, PURPOSE, a.privateKey), a.alipayPublicKey, a.gatewayUrl],
  );
}

/** Every stored application, keys opened (reconciliation downloads each one's statement). */
export async function listAlipayAccounts(db: Queryable, keyring: Keyring): Promise<StoredAlipayAccount[]> {
  const { rows } = await db.query<Row>('SELECT merc_no, app_id, private_key, alipay_public_key, gateway_url FROM alipay_accounts ORDER BY merc_no');
  return rows.map((r) => ({
    mercNo: r.merc_no, appId: r.app_id, privateKey: open(keyring, PURPOSE, r.private_key), alipayPublicKey: r.alipay_public_key,
    gatewayUrl: r.gateway_url,
  }));
}
