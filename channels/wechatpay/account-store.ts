import type { Queryable } from '../../db/pool';
import { resealColumn } from '../../db/reseal';
import { open, seal, type Keyring } from '../../secrets/keyring';
import type { PlatformKey } from './signing';
import type { WechatpayCredentials } from './settings';

const KEY_PURPOSE = 'wechatpay-private-key';
const V3_PURPOSE = 'wechatpay-api-v3-key';

/** A merchant's own WeChat Pay account (table wechatpay_accounts). baseUrl null = the platform's WECHATPAY_BASE_URL. */
export interface StoredWechatpayAccount extends WechatpayCredentials {
  mercNo: string;
  baseUrl: string | null;
}

interface Row {
  merc_no: string; mch_id: string; app_id: string; serial_no: string; private_key: string; api_v3_key: string;
  platform_keys: PlatformKey[]; base_url: string | null;
}

const COLUMNS = 'merc_no, mch_id, app_id, serial_no, private_key, api_v3_key, platform_keys, base_url';

const toAccount = (keyring: Keyring, r: Row): StoredWechatpayAccount => ({
  mercNo: r.merc_no, mchId: r.mch_id, appId: r.app_id, serialNo: r.serial_no,
  privateKey: open(keyring, KEY_PURPOSE, r.private_key), apiV3Key: open(keyring, V3_PURPOSE, r.api_v3_key),
  platformKeys: r.platform_keys, baseUrl: r.base_url,
});

/** The account with its private key and APIv3 key opened (stored sealed under MASTER_KEYS, see secrets/keyring.ts). */
export async function findWechatpayAccount(db: Queryable, keyring: Keyring, mercNo: string): Promise<StoredWechatpayAccount | null> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM wechatpay_accounts WHERE merc_no = $1`, [mercNo]);
  return rows[0] ? toAccount(keyring, rows[0]) : null;
}

/** The accounts (at most `limit`) that hold a WeChat Pay key of this serial: who a notification may be for. */
export async function wechatpayAccountsWithSerial(db: Queryable, keyring: Keyring, serial: string, limit: number): Promise<StoredWechatpayAccount[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM wechatpay_accounts WHERE platform_keys @> jsonb_build_array(jsonb_build_object('serial', $1::text))
     ORDER BY merc_no LIMIT $2`, [serial, limit]);
  return rows.map((r) => toAccount(keyring, r));
}

/** Re-seals every stored private key and APIv3 key under the keyring's current master key; returns how many changed. */
export async function resealWechatpayAccounts(db: Queryable, keyring: Keyring): Promise<number> {
  const keys = await resealColumn(db, keyring, { table: 'wechatpay_accounts', idColumn: 'merc_no', secretColumn: 'private_key', purpose: KEY_PURPOSE });
  const v3 = await resealColumn(db, keyring, { table: 'wechatpay_accounts', idColumn: 'merc_no', secretColumn: 'api_v3_key', purpose: V3_PURPOSE });
  return keys + v3;
}

/** Creates or replaces a merchant's WeChat Pay account. */
export async function saveWechatpayAccount(db: Queryable, keyring: Keyring, a: StoredWechatpayAccount): Promise<void> {
  await db.query(
    `INSERT INTO wechatpay_accounts (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (merc_no) DO UPDATE SET mch_id = EXCLUDED.mch_id, app_id = EXCLUDED.app_id, serial_no = EXCLUDED.serial_no,
       private_key = EXCLUDED.private_key, api_v3_key = EXCLUDED.api_v3_key, platform_keys = EXCLUDED.platform_keys,
       base_url = EXCLUDED.base_url, updated_at = now()`,
    [a.mercNo, a.mchId, a.appId, a.serialNo, seal(keyring, KEY_PURPOSE, a.privateKey), seal(keyring, V3_PURPOSE, a.apiV3Key),
      JSON.stringify(a.platformKeys), a.baseUrl],
  );
}

/** Every stored account, keys opened (reconciliation downloads each one's statement). */
export async function listWechatpayAccounts(db: Queryable, keyring: Keyring): Promise<StoredWechatpayAccount[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLUMNS} FROM wechatpay_accounts ORDER BY merc_no`);
  return rows.map((r) => toAccount(keyring, r));
}
