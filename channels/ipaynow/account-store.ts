import type { Queryable } from '../../db/pool';
import { open, seal, type Keyring } from '../../secrets/keyring';
import { resealColumn } from '../../db/reseal';

const PURPOSE = 'ipaynow-app-key';

/** A merchant's own IPayNow application (table ipaynow_accounts). baseUrl null = the platform's IPAYNOW_BASE_URL. */
export interface StoredIpaynowAccount {
  mercNo: string;
  appId: string;
  appKey: string;
  baseUrl: string | null;
}

interface Row { merc_no: string; app_id: string; app_key: string; base_url: string | null }

/** The account with its app key opened (it is stored sealed under MASTER_KEYS, see secrets/keyring.ts). */
export async function findIpaynowAccount(db: Queryable, keyring: Keyring, mercNo: string): Promise<StoredIpaynowAccount | null> {
  const { rows } = await db.query<Row>('SELECT merc_no, app_id, app_key, base_url FROM ipaynow_accounts WHERE merc_no = $1', [mercNo]);
  const r = rows[0];
  return r ? { mercNo: r.merc_no, appId: r.app_id, appKey: open(keyring, PURPOSE, r.app_key), baseUrl: r.base_url } : null;
}

/** Re-seals every stored app key under the keyring's current master key; returns how many changed. */
export const resealIpaynowAccounts = (db: Queryable, keyring: Keyring): Promise<number> =>
  resealColumn(db, keyring, { table: 'ipaynow_accounts', idColumn: 'merc_no', secretColumn: 'app_key', purpose: PURPOSE });

/** Creates or replaces a merchant's IPayNow application. */
export async function saveIpaynowAccount(db: Queryable, keyring: Keyring, a: StoredIpaynowAccount): Promise<void> {
  await db.query(
    `INSERT INTO ipaynow_accounts (merc_no, app_id, app_key, base_url) VALUES ($1, $2, $3, $4)
     ON CONFLICT (merc_no) DO UPDATE SET app_id = EXCLUDED.app_id, app_key = EXCLUDED.app_key, base_url = EXCLUDED.base_url,
       updated_at = now()`,
    [a.mercNo, a.appId, seal(keyring, PURPOSE, a.appKey), a.baseUrl],
  );
}

/** Every stored application, keys opened (reconciliation downloads each one's statement). */
export async function listIpaynowAccounts(db: Queryable, keyring: Keyring): Promise<StoredIpaynowAccount[]> {
  const { rows } = await db.query<Row>('SELECT merc_no, app_id, app_key, base_url FROM ipaynow_accounts ORDER BY merc_no');
  return rows.map((r) => ({ mercNo: r.merc_no, appId: r.app_id, appKey: open(keyring, PURPOSE, r.app_key), baseUrl: r.base_url }));
}
