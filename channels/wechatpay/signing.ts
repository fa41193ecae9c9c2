import { createDecipheriv, createPublicKey, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';

/**
 * The signatures of WeChat Pay API v3 (node:crypto):
 *   - requests: SHA256withRSA over `METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n` with the merchant's API certificate
 *     key, sent as `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,timestamp=…,serial_no=…`;
 *   - answers and notifications: `Wechatpay-Signature` is SHA256withRSA over `TIMESTAMP\nNONCE\nBODY\n` with the key
 *     named by `Wechatpay-Serial` (a platform certificate's serial, or a WeChat Pay public key id `PUB_KEY_ID_…`);
 *   - pay sign of an app or JSAPI payment: SHA256withRSA over its fields, one per line;
 *   - notification resources: AEAD_AES_256_GCM with the APIv3 key.
 */

export const AUTH_SCHEMA = 'WECHATPAY2-SHA256-RSA2048';

/** A signature over `lines` joined and ended by `\n` (every v3 message is built this way). */
export function signLines(lines: readonly string[], privateKey: string): string {
  return createSign('RSA-SHA256').update(`${lines.join('\n')}\n`, 'utf8').sign(privateKey, 'base64');
}

export const newNonce = () => randomBytes(16).toString('hex').toUpperCase();

export interface RequestSigner {
  mchId: string;
  /** The serial number of the merchant's API certificate. */
  serialNo: string;
  privateKey: string;
}

/** The Authorization header of one request; `pathAndQuery` as sent (e.g. `/v3/pay/transactions/native`). */
export function authorization(s: RequestSigner, method: string, pathAndQuery: string, body: string, timestampS: number, nonce: string): string {
  const signature = signLines([method, pathAndQuery, String(timestampS), nonce, body], s.privateKey);
  return `${AUTH_SCHEMA} mchid="${s.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestampS}",serial_no="${s.serialNo}"`;
}

/** A WeChat Pay verification key: what a `Wechatpay-Serial` names. */
export interface PlatformKey {
  serial: string;
  /** A PEM public key (public-key mode) or a PEM platform certificate (certificate mode). */
  publicKey: string;
}

/** The PEM as a key object; null when it is neither a public key nor a certificate. */
export function publicKeyOf(pem: string): KeyObject | null {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'rsa' ? key : null;
  } catch {
    return null;
  }
}

/** The signed headers of an answer or a notification (names lower-case, as node gives them). */
export interface SignedHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

export const signedHeadersOf = (h: Readonly<Record<string, string | string[] | undefined>>): SignedHeaders => {
  const one = (name: string) => { const v = h[name]; return Array.isArray(v) ? undefined : v; };
  return { timestamp: one('wechatpay-timestamp'), nonce: one('wechatpay-nonce'), signature: one('wechatpay-signature'), serial: one('wechatpay-serial') };
};

export type VerifyResult = { ok: true } | { ok: false; reason: string };

/** The checks before any key: the four headers present, not a SIGNTEST probe, the timestamp within maxSkewMs of now. */
export function checkSignedHeaders(h: SignedHeaders, nowMs: number, maxSkewMs: number): VerifyResult {
  if (!h.timestamp || !h.nonce || !h.signature || !h.serial) return { ok: false, reason: 'Wechatpay-* signature headers missing' };
  if (h.signature.startsWith('WECHATPAY/SIGNTEST/')) return { ok: false, reason: 'a SIGNTEST probe' };
  if (!/^\d{1,12}$/.test(h.timestamp)) return { ok: false, reason: 'Wechatpay-Timestamp is not a number' };
  if (Math.abs(nowMs - Number(h.timestamp) * 1000) > maxSkewMs) return { ok: false, reason: 'Wechatpay-Timestamp too far from now' };
  return { ok: true };
}

/**
 * Verifies a signed answer or notification: the four headers present, a `WECHATPAY/SIGNTEST/` probe refused (WeChat
 * Pay sends such probes to check that signatures are verified at all), the timestamp within `maxSkewMs` of now (a
 * replayed old message is refused), the serial one of `keys`, and the signature right over `ts\nnonce\nbody\n`.
 */
export function verifySigned(h: SignedHeaders, body: string, keys: readonly PlatformKey[], nowMs: number, maxSkewMs: number): VerifyResult {
  const pre = checkSignedHeaders(h, nowMs, maxSkewMs);
  if (!pre.ok || !h.timestamp || !h.nonce || !h.signature) return pre;
  const key = keys.find((k) => k.serial === h.serial);
  if (!key) return { ok: false, reason: 'Wechatpay-Serial names no key of the account' };
  const publicKey = publicKeyOf(key.publicKey);
  if (!publicKey) return { ok: false, reason: 'the account\'s key for this serial is unreadable' };
  let good = false;
  try {
    good = createVerify('RSA-SHA256').update(`${h.timestamp}\n${h.nonce}\n${body}\n`, 'utf8').verify(publicKey, h.signature, 'base64');
  } catch {
    good = false;
  }
  return good ? { ok: true } : { ok: false, reason: 'bad signature' };
}

/** An encrypted notification resource (resource_type encrypt-resource). */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/**
 * Opens an AEAD_AES_256_GCM resource with the APIv3 key (32 bytes): the ciphertext is base64 of the encrypted text
 * followed by the 16-byte tag; nonce and associated data are used as UTF-8. Null when it does not authenticate.
 */
export function decryptResource(r: EncryptedResource, apiV3Key: string): string | null {
  if (r.algorithm !== 'AEAD_AES_256_GCM') return null;
  const key = Buffer.from(apiV3Key, 'utf8');
  const data = Buffer.from(r.ciphertext, 'base64');
  if (key.length !== 32 || data.length < 17 || r.nonce.length === 0) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(r.nonce, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - 16));
    decipher.setAAD(Buffer.from(r.associated_data ?? '', 'utf8'));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
