import type { Queryable } from './pool';

let inserts = 0;

/**
 * The replay cache of raw-body signatures: records (mercNo, signature) until `expiresAtMs` (its timestamp plus the
 * tolerance) and answers whether it was new. Expired rows are swept every few hundred inserts.
 */
export async function acceptOnce(db: Queryable, mercNo: string, signature: string, expiresAtMs: number): Promise<boolean> {
  if (++inserts % 500 === 0) await db.query('DELETE FROM signature_replays WHERE expires_at < now()');
  const { rowCount } = await db.query(
    `INSERT INTO signature_replays (merc_no, signature, expires_at) VALUES ($1, $2, to_timestamp($3 / 1000.0))
     ON CONFLICT DO NOTHING`,
    [mercNo, signature, expiresAtMs],
  );
  return rowCount === 1;
}
