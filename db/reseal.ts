import type { Queryable } from './pool';
import { needsReseal, open, seal, type Keyring } from '../secrets/keyring';

/**
 * A column of sealed secrets: its table, the row key and the seal purpose. Fixed names written in code (merchant keys
 * here, each channel's accounts in its folder), never input: they are put into the SQL text.
 */
export interface SealedColumn {
  table: string;
  idColumn: string;
  secretColumn: string;
  purpose: string;
}

/**
 * Re-seals every value of a column under the keyring's current master key (plaintext rows, or rows sealed under an
 * older key); a row changed meanwhile is left as it is. Returns how many rows were re-sealed.
 */
export async function resealColumn(db: Queryable, keyring: Keyring, c: SealedColumn): Promise<number> {
  const { rows } = await db.query<{ id: string; secret: string }>(`SELECT ${c.idColumn} AS id, ${c.secretColumn} AS secret FROM ${c.table}`);
  let n = 0;
  for (const r of rows) {
    if (!needsReseal(keyring, r.secret)) continue;
    await db.query(`UPDATE ${c.table} SET ${c.secretColumn} = $2 WHERE ${c.idColumn} = $1 AND ${c.secretColumn} = $3`,
      [r.id, seal(keyring, c.purpose, open(keyring, c.purpose, r.secret)), r.secret]);
    n++;
  }
  return n;
}
