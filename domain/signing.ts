import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Merchant API signatures (merchant-api.md "Common rules").
 * String to sign: every top-level field except `signature` whose value is not empty, keys sorted ascending (by
 * UTF-16 code unit, i.e. ASCII for ASCII keys), joined as `k1=v1&k2=v2` with raw values, then `&key=<merchant key>`.
 *   MD5:         uppercase hex MD5 of that string (UTF-8).
 *   HMAC-SHA256: uppercase hex HMAC-SHA256 of that same string, keyed with the merchant key.
 */
export const SIGN_TYPES = ['MD5', 'HMAC-SHA256'] as const;
/** A sign type of the field form: the signature is the body's `signature` field (MD5 is legacy). */
export type FieldSignType = (typeof SIGN_TYPES)[number];
/** The raw-body form (domain/raw-signature.ts): HMAC-SHA256 over the exact body, in the Paydurable-Signature header. */
export const RAW_SIGN_TYPE = 'HMAC-SHA256-RAW';
export const ALL_SIGN_TYPES = [...SIGN_TYPES, RAW_SIGN_TYPE] as const;
export type SignType = (typeof ALL_SIGN_TYPES)[number];

export type SignableValue = string | number | boolean | null | undefined;

export function stringToSign(fields: Record<string, SignableValue>, key: string): string {
  const parts = Object.keys(fields)
    .filter((k) => k !== 'signature')
    .filter((k) => {
      const v = fields[k];
      return v !== undefined && v !== null && String(v) !== '';
    })
    .sort()
    .map((k) => `${k}=${String(fields[k])}`);
  parts.push(`key=${key}`);
  return parts.join('&');
}

export function sign(fields: Record<string, SignableValue>, key: string, signType: FieldSignType): string {
  const text = stringToSign(fields, key);
  if (signType === 'HMAC-SHA256') {
    return createHmac('sha256', key).update(text, 'utf8').digest('hex').toUpperCase();
  }
  return createHash('md5').update(text, 'utf8').digest('hex').toUpperCase();
}

/** Constant-time comparison of a received signature with the expected one (case-insensitive hex). */
export function verifySignature(
  fields: Record<string, SignableValue>,
  key: string,
  signType: FieldSignType,
  received: string,
): boolean {
  const expected = Buffer.from(sign(fields, key, signType), 'utf8');
  const actual = Buffer.from(received.toUpperCase(), 'utf8');
  if (actual.length !== expected.length) {
    // Still spend the comparison so that timing does not reveal the expected length.
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(expected, actual);
}

/** Returns the fields with `signature` added. */
export function withSignature<T extends Record<string, SignableValue>>(
  fields: T,
  key: string,
  signType: FieldSignType,
): T & { signature: string } {
  return { ...fields, signature: sign(fields, key, signType) };
}
