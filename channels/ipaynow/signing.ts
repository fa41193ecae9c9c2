import { createHash, timingSafeEqual } from 'node:crypto';
import type { FormFields } from './form';

/**
 * IPayNow's MD5 signature (docs/ipaynow-channel.md):
 *   signature = md5( k1=v1&k2=v2… + "&" + md5(appKey) ), lowercase hex, UTF-8,
 * over the signed fields sorted by key (ASCII ascending), empty values left out, raw (not URL-encoded) values.
 * Which fields are signed changed over time:
 *   NEW: every field but `signature` / `mhtSignature` (signType and mhtSignType are signed).
 *   OLD: also without `signType` / `mhtSignType`, and for WP001 also without `funcode` and `deviceType`.
 * We sign with NEW and accept either on what we receive.
 */
export type SignRule = 'new' | 'old';

const NEW_EXCLUDED = new Set(['signature', 'mhtSignature']);
const OLD_EXCLUDED = new Set(['signature', 'mhtSignature', 'signType', 'mhtSignType']);
const OLD_WP001_EXCLUDED = new Set([...OLD_EXCLUDED, 'funcode', 'deviceType']);

export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function excludedBy(rule: SignRule, fields: FormFields): Set<string> {
  if (rule === 'new') return NEW_EXCLUDED;
  return fields.funcode === 'WP001' ? OLD_WP001_EXCLUDED : OLD_EXCLUDED;
}

/** The text whose MD5 is the signature, before the key part is appended. */
export function signedContent(fields: FormFields, rule: SignRule): string {
  const excluded = excludedBy(rule, fields);
  return Object.keys(fields)
    .filter((k) => !excluded.has(k) && fields[k] !== undefined && fields[k] !== '')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

export function ipaynowSign(fields: FormFields, appKey: string, rule: SignRule = 'new'): string {
  return md5Hex(`${signedContent(fields, rule)}&${md5Hex(appKey)}`);
}

/**
 * Checks a received signature (hex, compared case-insensitively in constant time) under the NEW and the OLD rule;
 * answers the rule that matched, or null.
 */
export function ipaynowVerify(fields: FormFields, appKey: string, received: string): SignRule | null {
  const actual = Buffer.from(received.toLowerCase(), 'utf8');
  for (const rule of ['new', 'old'] as const) {
    const expected = Buffer.from(ipaynowSign(fields, appKey, rule), 'utf8');
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) return rule;
  }
  return null;
}
