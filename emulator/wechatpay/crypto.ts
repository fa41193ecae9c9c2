import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * The emulator's own WeChat Pay API v3 cryptography (node:crypto), written apart from the channel's
 * (channels/wechatpay/signing.ts) so that a mistake on one side is not shared by the other: SHA256withRSA over
 * newline-ended lines, the Authorization header's parts, and AEAD_AES_256_GCM sealing of notification resources.
 */
export interface KeyPair {
  /** PKCS#8 PEM. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
}

/** A fresh 2048-bit pair: generated at start, never written anywhere. */
export function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKey, publicKey };
}

/** The message of a v3 signature: every part followed by a line feed. */
export const messageOf = (...parts: string[]): string => parts.map((p) => `${p}\n`).join('');

export const rsaSign = (message: string, privateKey: string): string =>
  createSign('sha256').update(Buffer.from(message, 'utf8')).sign(privateKey).toString('base64');

export function rsaVerify(message: string, signature: string, publicKey: string): boolean {
  try {
    return createVerify('sha256').update(Buffer.from(message, 'utf8')).verify(publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** The parts of `WECHATPAY2-SHA256-RSA2048 k="v",…`; null when the schema or a part is missing. */
export function parseAuthorization(header: string | undefined): { mchid: string; nonce_str: string; signature: string; timestamp: string; serial_no: string } | null {
  const prefix = 'WECHATPAY2-SHA256-RSA2048 ';
  if (!header?.startsWith(prefix)) return null;
  const parts = new Map<string, string>();
  for (const m of header.slice(prefix.length).matchAll(/(\w+)="([^"]*)"/g)) parts.set(m[1]!, m[2]!);
  const get = (k: string) => parts.get(k);
  const [mchid, nonce, signature, timestamp, serial] = [get('mchid'), get('nonce_str'), get('signature'), get('timestamp'), get('serial_no')];
  return mchid && nonce && signature && timestamp && serial ? { mchid, nonce_str: nonce, signature, timestamp, serial_no: serial } : null;
}

/** Seals a resource for a notification with the merchant's APIv3 key: base64(ciphertext ‖ 16-byte tag). */
export function sealResource(plain: string, apiV3Key: string, associatedData: string): { ciphertext: string; nonce: string } {
  const nonce = randomBytes(6).toString('hex'); // 12 characters, used as UTF-8 bytes
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { ciphertext: sealed.toString('base64'), nonce };
}

/** WeChat Pay's time format: RFC 3339 in China Standard Time. */
export function wechatTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+08:00`;
}
