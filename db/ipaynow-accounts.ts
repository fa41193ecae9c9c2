import type { Queryable } from './pool';

/** A merchant's own IPayNow application (table ipaynow_accounts). baseUrl null = the platform's IPAYNOW_BASE_URL. */
export interface StoredIpaynowAccount {
  mercNo: string;
  appId: string;
  appKey: string;
  baseUrl: string | null;
}

interface Row { merc_no: string; app_id: string; app_key: string; base_url: string | null }

export async function findIpaynowAccount(db: Queryable, mercNo: string): Promise<StoredIpaynowAccount | null> {
  const { rows } = await db.query<Row>('SELECT merc_no, app_id, app_key, base_url FROM ipaynow_accounts WHERE merc_no = $1', [mercNo]);
  const r = rows[0];
  return r ? { mercNo: r.merc_no, appId: r.app_id, appKey: r.app_key, baseUrl: r.base_url } : null;
}

/** Creates or replaces a merchant's IPayNow application. */
export async function saveIpaynowAccount(db: Queryable, a: StoredIpaynowAccount): Promise<void> {
  await db.query(
    `INSERT INTO ipaynow_accounts (merc_no, app_id, app_key, base_url) VALUES ($1, $2, $3, $4)
     ON CONFLICT (merc_no) DO UPDATE SET app_id = EXCLUDED.app_id, app_key = EXCLUDED.app_key, base_url = EXCLUDED.base_url,
       updated_at = now()`,
    [a.mercNo, a.appId, a.appKey, a.baseUrl],
  );
}
