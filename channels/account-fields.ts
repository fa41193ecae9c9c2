import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { httpUrl, jsonSchema } from '../api/schemas/fields';

/**
 * Field rules of the channel accounts the admin API takes (channels/<name>/account-admin.ts). Every message completes
 * "<field> …". Key material is checked in two steps: its PEM armour by the schema (so the OpenAPI document states it),
 * whether it parses by the channel's `problem` check once the merchant is known.
 */

/** An identifier at the channel: 1 to `max` visible ASCII characters. */
export const accountId = (max: number) => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .min(1, { error: 'is required' }).max(max, { error: `must be at most ${max} characters` })
  .regex(/^[\x21-\x7e]+$/, { error: 'must be visible ASCII characters without spaces' });

const PEM_PATTERN = '^-----BEGIN [A-Z0-9 ]{1,40}-----\\r?\\n[A-Za-z0-9+/=\\r\\n]{1,16000}-----END [A-Z0-9 ]{1,40}-----\\r?\\n?$';
const PEM = new RegExp(PEM_PATTERN);

/** An identifier at the channel in the channel's own format (`pattern`, whose rule completes "<field> …"). */
export const accountIdMatching = (pattern: RegExp, rule: string) => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .regex(pattern, { error: rule });

/** A PEM block (private key, public key or certificate), at most 16,384 characters. */
export const pem = () => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') })
  .max(16_384, { error: 'must be at most 16384 characters' })
  .refine((v) => PEM.test(v), { error: 'must be one PEM block (-----BEGIN …----- base64 lines -----END …-----)' })
  .meta(jsonSchema({ pattern: PEM_PATTERN }));

/** An optional base URL of the channel (null or absent = the platform's). */
export const optionalBaseUrl = () => httpUrl(256).nullable().optional();

/** Whether a PEM private key parses. */
export function privateKeyParses(text: string): boolean {
  try {
    createPrivateKey(text);
    return true;
  } catch {
    return false;
  }
}

/** Whether a PEM public key or certificate parses. */
export function publicKeyParses(text: string): boolean {
  try {
    if (text.includes('CERTIFICATE')) new X509Certificate(text);
    else createPublicKey(text);
    return true;
  } catch {
    return false;
  }
}
