import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Field rules shared by the merchant API schemas. Every message completes the sentence "<field> …", so that a
 * validation error reads e.g. "tradeAmt must be yuan with at most two decimals". Empty strings count as absent
 * (they are also left out of the signature).
 */
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

export const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/** C0 controls other than tab, LF and CR, and DEL: never meaningful in a field, and PostgreSQL cannot store U+0000. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function text(max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
    .min(1, { error: 'is required' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => !CONTROL.test(v), { error: 'must not contain control characters' });
}

export function required(max: number) {
  return z.preprocess(emptyToUndefined, text(max));
}

export function optional(max: number) {
  return z.preprocess(emptyToUndefined, text(max).optional());
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) => (iss.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`),
  });
}

export function httpUrl(max: number) {
  return text(max).refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, { error: 'must be an http or https URL' });
}

export const ipAddress = text(32).refine((v) => isIP(v) !== 0, { error: 'must be an IPv4 or IPv6 address' });

export const compactTime = text(14).regex(/^\d{14}$/, { error: 'must be yyyyMMddHHmmss' });

/** Visible ASCII, no spaces: order numbers end up in URLs, workflow ids and channel requests. */
export const orderNo = (max: number) => text(max).regex(/^[\x21-\x7e]+$/, { error: 'must be visible ASCII characters without spaces' });

export { present };
