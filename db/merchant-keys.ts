import { randomBytes } from 'node:crypto';
import type { Queryable } from './pool';
import type { Mode } from '../domain/mode';
import { open, seal, type Keyring } from '../secrets/keyring';
import { resealColumn } from './reseal';

/** A merchant's signing key (table merchant_keys), opened. `expiresAtMs` null = current. */
export interface MerchantKey {
  keyId: string;
  mode: Mode;
  secret: string;
  createdAtMs: number;
  expiresAtMs: number | null;
}

interface Row { key_id: string; merc_no: string; mode: Mode; secret: string; created_at: Date; expires_at: Date | null }

const PURPOSE = 'merchant-key';

export function generateSignKey(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

const newKeyId = (mode: Mode) => `${mode === 'live' ? 'lk' : 'tk'}_${randomBytes(8).toString('hex')}`;

/** The keys of a merchant that still verify at `nowMs` (current ones and rotated ones inside their overlap), newest first. */
export async function findVerifyingKeys(db: Queryable, keyring: Keyring, mercNo: string, nowMs: number): Promise<MerchantKey[]> {
  const { rows } = await db.query<Row>(
    `SELECT * FROM merchant_keys WHERE merc_no = $1 AND (expires_at IS NULL OR expires_at > to_timestamp($2 / 1000.0))
     ORDER BY created_at DESC, key_id`,
    [mercNo, nowMs],
  );
  return rows.map((r) => ({
    keyId: r.key_id, mode: r.mode, secret: open(keyring, PURPOSE, r.secret),
    createdAtMs: r.created_at.getTime(), expiresAtMs: r.expires_at ? r.expires_at.getTime() : null,
  }));
}

/** Adds a key of `mode` (a given secret, or a new random one); returns it with its secret. */
export async function addMerchantKey(db: Queryable, keyring: Keyring, mercNo: string, mode: Mode, secret = generateSignKey()): Promise<MerchantKey> {
  const keyId = newKeyId(mode);
  const { rows } = await db.query<{ created_at: Date }>(
    'INSERT INTO merchant_keys (key_id, merc_no, mode, secret) VALUES ($1, $2, $3, $4) RETURNING created_at',
    [keyId, mercNo, mode, seal(keyring, PURPOSE, secret)],
  );
  return { keyId, mode, secret, createdAtMs: rows[0]!.created_at.getTime(), expiresAtMs: null };
}

/**
 * Rotation: a new key of `mode` becomes current, and the merchant's current keys of that mode keep verifying for
 * `overlapMs` (0 = revoked at once). Returns the new key (its secret is shown once, by the caller, into a file).
 */
export async function rotateMerchantKey(db: Queryable, keyring: Keyring, mercNo: string, mode: Mode, overlapMs: number): Promise<MerchantKey> {
  await db.query(
    `UPDATE merchant_keys SET expires_at = now() + make_interval(secs => $3 / 1000.0)
     WHERE merc_no = $1 AND mode = $2 AND (expires_at IS NULL OR expires_at > now() + make_interval(secs => $3 / 1000.0))`,
    [mercNo, mode, overlapMs],
  );
  return addMerchantKey(db, keyring, mercNo, mode);
}

/** Re-seals every merchant key under the keyring's current master key (plaintext rows, or rows of an older key). */
export const resealMerchantKeys = (db: Queryable, keyring: Keyring): Promise<number> =>
  resealColumn(db, keyring, { table: 'merchant_keys', idColumn: 'key_id', secretColumn: 'secret', purpose: PURPOSE });

/** A merchant key without its secret: what the admin API shows. */
export type MerchantKeyInfo = Omit<MerchantKey, 'secret'>;

/** The merchant's keys that verify at `nowMs`, newest first, without opening their secrets. */
export async function listVerifyingKeyIds(db: Queryable, mercNo: string, nowMs: number): Promise<MerchantKeyInfo[]> {
  const { rows } = await db.query<Omit<Row, 'secret'>>(
    `SELECT key_id, merc_no, mode, created_at, expires_at FROM merchant_keys
     WHERE merc_no = $1 AND (expires_at IS NULL OR expires_at > to_timestamp($2 / 1000.0)) ORDER BY created_at DESC, key_id`,
    [mercNo, nowMs],
  );
  return rows.map((r) => ({ keyId: r.key_id, mode: r.mode, createdAtMs: r.created_at.getTime(), expiresAtMs: r.expires_at ? r.expires_at.getTime() : null }));
}
