import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Keyring, MasterKey } from './keyring';

/**
 * Unguessable per-order link tokens: the token in the URL of an order's QR image (`/qr/<orderId>/<token>.svg`),
 * so that knowing an orderId is not enough to get the order's pay credential. token = base64url of the first 16
 * bytes of HMAC-SHA256(linkKey, "qr-image:<orderId>"), where linkKey is derived from a master key (MASTER_KEYS) for
 * this purpose only (never the key that seals secrets). Stateless and deterministic: the api and every worker
 * derive the same token, and the same order always gets the same link.
 *
 * The first master key issues tokens and every listed one verifies, as for sealed secrets: a re-key keeps issued
 * links valid while the old key stays listed. Without a master key (development only: production requires one) a
 * fixed development key is used, so links are guessable there, like the keys at rest that stay plaintext.
 */
const PURPOSE = 'paydurable link-token v1';
const DEVELOPMENT_KEY: MasterKey = { id: 'development', key: createHash('sha256').update('paydurable development link key: set MASTER_KEYS').digest() };
const TOKEN_BYTES = 16;
/** What a token looks like (22 base64url characters); anything else is refused before any HMAC is computed. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{22}$/;

const linkKey = (mk: MasterKey) => createHmac('sha256', mk.key).update(PURPOSE, 'utf8').digest();
const tokenUnder = (mk: MasterKey, subject: string) =>
  createHmac('sha256', linkKey(mk)).update(subject, 'utf8').digest().subarray(0, TOKEN_BYTES).toString('base64url');
const issuingKey = (keyring: Keyring) => keyring.current ?? DEVELOPMENT_KEY;
const verifyingKeys = (keyring: Keyring) => (keyring.all.length > 0 ? keyring.all : [DEVELOPMENT_KEY]);
const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** The token of an order's QR image link. */
export function qrImageToken(keyring: Keyring, orderId: string): string {
  return tokenUnder(issuingKey(keyring), `qr-image:${orderId}`);
}

/** Whether `token` is the QR image token of `orderId` under any configured master key (compared in constant time). */
export function isQrImageToken(keyring: Keyring, orderId: string, token: string): boolean {
  if (!LINK_TOKEN.test(token)) return false;
  const presented = digest(token);
  let ok = false;
  for (const mk of verifyingKeys(keyring)) ok = timingSafeEqual(digest(tokenUnder(mk, `qr-image:${orderId}`)), presented) || ok;
  return ok;
}
