import { createSign, createVerify, generateKeyPairSync } from 'node:crypto';

/**
 * The emulator's own RSA2 code (SHA256withRSA over node:crypto), written apart from the adapter's (which is the
 * alipay-sdk package), so that a signing mistake on one side is not shared by the other.
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

/**
 * The signed content of a parameter set: the parameters with a non-empty value, without `sign` (and without
 * `sign_type` too where `dropSignType`: asynchronous notifications), sorted by name, `k=v` joined by `&`.
 */
export function contentOf(params: Record<string, string>, dropSignType: boolean): string {
  return Object.entries(params)
    .filter(([k, v]) => k !== 'sign' && !(dropSignType && k === 'sign_type') && v !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export const rsa2Sign = (content: string, privateKey: string): string =>
  createSign('sha256').update(content, 'utf8').sign(privateKey, 'base64');

export function rsa2Verify(content: string, signature: string, publicKey: string): boolean {
  try {
    return createVerify('sha256').update(content, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}
