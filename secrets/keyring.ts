import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of the secrets kept in PostgreSQL (merchant keys, channel app keys): AES-256-GCM under a master
 * key from the environment (MASTER_KEYS) or a file (MASTER_KEYS_FILE). The first master key seals; every listed key
 * opens, so re-keying is: put the new key first, keep the old one listed, run `npm run merchant -- rekey`, then drop
 * the old one.
 *
 * Sealed form: `pdk1:<masterKeyId>:<iv>:<ciphertext>:<tag>` (base64url parts). The key id and purpose are bound into
 * the tag as additional data, so a sealed value moved to another column or key id does not open.
 */
export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** The key that seals new values; undefined = no master key (development only: values stay plaintext). */
  current: MasterKey | undefined;
  all: MasterKey[];
}

const PREFIX = 'pdk1';

export const MASTER_KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** Parses `id:base64key[,id:base64key…]` (each key 32 bytes). Throws with a message naming the entry. */
export function parseMasterKeys(text: string): Keyring {
  const entries = text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s.length > 0);
  const all: MasterKey[] = [];
  for (const [i, entry] of entries.entries()) {
    const sep = entry.indexOf(':');
    const id = sep > 0 ? entry.slice(0, sep) : '';
    if (!MASTER_KEY_ID.test(id)) throw new Error(`entry #${i + 1} must be <id>:<base64 key> with an id of 1 to 32 of A-Z a-z 0-9 . _ -`);
    const key = Buffer.from(entry.slice(sep + 1), 'base64');
    if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes, base64 encoded (openssl rand -base64 32)`);
    if (all.some((k) => k.id === id)) throw new Error(`key id ${id} is listed twice`);
    all.push({ id, key });
  }
  return { current: all[0], all };
}

export const emptyKeyring = (): Keyring => ({ current: undefined, all: [] });

export const newMasterKeyText = (id = 'k1') => `${id}:${randomBytes(32).toString('base64')}`;

export const isSealed = (stored: string) => stored.startsWith(`${PREFIX}:`);

/** Seals `plain` for `purpose` (e.g. "merchant-key"); without a master key the value is returned as it is. */
export function seal(keyring: Keyring, purpose: string, plain: string): string {
  const mk = keyring.current;
  if (!mk) return plain;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', mk.key, iv);
  cipher.setAAD(Buffer.from(`${PREFIX}:${mk.id}:${purpose}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [PREFIX, mk.id, iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join(':');
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

/**
 * Opens a stored value: a sealed one with the master key named in it, a plaintext one (written before a master key was
 * configured) as it is. A sealed value whose master key is not configured, or that was tampered with, throws.
 */
export function open(keyring: Keyring, purpose: string, stored: string): string {
  if (!isSealed(stored)) return stored;
  const [, id, iv, ct, tag] = stored.split(':');
  const mk = keyring.all.find((k) => k.id === id);
  if (!mk || iv === undefined || ct === undefined || tag === undefined) {
    throw new KeyringError(`a secret is sealed with master key ${id ?? '?'}, which is not configured (MASTER_KEYS)`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', mk.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`${PREFIX}:${mk.id}:${purpose}`, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new KeyringError(`a secret sealed with master key ${id} does not open (tampered, or another purpose)`);
  }
}

/** Whether a stored value should be sealed again: plaintext while a master key exists, or sealed under an older one. */
export function needsReseal(keyring: Keyring, stored: string): boolean {
  if (!keyring.current) return false;
  return !isSealed(stored) || stored.split(':')[1] !== keyring.current.id;
}
