import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Keyring, MasterKey } from './keyring';

/**
 * Unguessable tokens for links that hand out something of an order (its QR image: the pay credential). A token is an
 * HMAC of the orderId under a key derived (HKDF) from a master key, so every api and worker of a deployment makes and
 * checks the same token without storing it; every listed master key is accepted, so re-keying keeps links working.
 * Without a master key (development only) a fixed development key is used: such links are guessable, as the
 * deployment mode says at start.
 */
const DEV_KEY: MasterKey = { id: 'dev', key: Buffer.alloc(32) };

const linkKey = (mk: MasterKey) => Buffer.from(hkdfSync('sha256', mk.key, Buffer.alloc(0), Buffer.from('paydurable link token', 'utf8'), 32));

const tokenWith = (mk: MasterKey, purpose: string, subject: string) =>
  createHmac('sha256', linkKey(mk)).update(`${purpose}\n${subject}`, 'utf8').digest('base64url').slice(0, 32);

export function linkToken(keyring: Keyring, purpose: string, subject: string): string {
  return tokenWith(keyring.current ?? DEV_KEY, purpose, subject);
}

export function linkTokenValid(keyring: Keyring, purpose: string, subject: string, token: unknown): boolean {
  if (typeof token !== 'string') return false;
  const received = Buffer.from(token, 'utf8');
  let ok = false;
  for (const mk of keyring.all.length > 0 ? keyring.all : [DEV_KEY]) {
    const expected = Buffer.from(tokenWith(mk, purpose, subject), 'utf8');
    if (received.length === expected.length && timingSafeEqual(received, expected)) ok = true;
  }
  return ok;
}
