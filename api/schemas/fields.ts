import { isIP } from 'node:net';
import { z } from 'zod';
import { MERC_NO_PATTERN } from '../../domain/merchant-no';
import { hasControlCharacter } from '../../domain/text';

/**
 * Field rules shared by the merchant API schemas. Every message completes the sentence "<field> …", so that a
 * validation error reads e.g. "tradeAmt must be yuan with at most two decimals". Empty strings count as absent
 * (they are also left out of the signature).
 *
 * What a refinement checks is also stated for the OpenAPI document, as JSON Schema keywords (`jsonSchema(...)`), so
 * that the document says exactly what the server enforces: a value the document calls valid passes these rules, and
 * one it calls invalid is refused (the contract test, test/contract, fuzzes both directions).
 */
const present = (v: unknown) => v !== undefined && v !== null && v !== '';

export const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

/**
 * JSON Schema keywords for the generated document where zod's own conversion cannot know them (refinements, empty
 * strings meaning absent). api/openapi/document.ts applies them: a key with the value null is removed.
 */
export type JsonSchemaPatch = Record<string, unknown>;
export const JSON_SCHEMA_PATCH = 'x-json-schema';
export const jsonSchema = (patch: JsonSchemaPatch) => ({ [JSON_SCHEMA_PATCH]: patch });

/** The same rule as a JSON Schema pattern (ECMA-262). */
export const NO_CONTROL_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
export { hasControlCharacter };

function plainText(max: number) {
  return z
    .string({ error: (iss) => (iss.input === undefined ? 'is required' : 'must be a string') })
    .min(1, { error: 'is required' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => !hasControlCharacter(v), { error: 'must not contain control characters' });
}

/** 1 to `max` characters, no control characters. */
export function text(max: number) {
  return plainText(max).meta(jsonSchema({ pattern: NO_CONTROL_PATTERN }));
}

export function required(max: number) {
  return z.preprocess(emptyToUndefined, text(max));
}

/** Optional text: absent, empty (= absent) or 1 to `max` characters without control characters. */
export function optional(max: number) {
  return z.preprocess(emptyToUndefined, text(max).optional()).meta(jsonSchema({ minLength: null, pattern: NO_CONTROL_PATTERN }));
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (iss) => (iss.input === undefined ? 'is required' : `must be one of ${values.join(', ')}`),
  });
}

/** An optional enum: absent, empty (= absent) or one of `values`. */
export function optionalOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(emptyToUndefined, oneOf(values).optional()).meta(jsonSchema({ enum: [...values, ''] }));
}

/**
 * http(s) URL: a lowercase scheme, a host name (labels of letters and digits joined by single hyphens, the last one
 * starting with a letter), a dotted IPv4 address or a bracketed IPv6 address, an optional port 0–65535, then an optional path, query and
 * fragment of URL characters. Every such string is a valid WHATWG URL; nothing else is accepted.
 */
const LABEL = '[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*';
const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const PORT = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)';
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;
const H16 = '[0-9A-Fa-f]{1,4}';
/** IPv6 literals in brackets: the full and compressed forms, and ::ffff:/:: / h16 prefixes before an IPv4 tail. */
const IPV6 = [
  `(?:${H16}:){7}${H16}`, `(?:${H16}:){1,7}:`, `(?:${H16}:){1,6}:${H16}`, `(?:${H16}:){1,5}(?::${H16}){1,2}`,
  `(?:${H16}:){1,4}(?::${H16}){1,3}`, `(?:${H16}:){1,3}(?::${H16}){1,4}`, `(?:${H16}:){1,2}(?::${H16}){1,5}`,
  `${H16}:(?::${H16}){1,6}`, `:(?:(?::${H16}){1,7}|:)`, `::(?:[Ff]{4}(?::0{1,4})?:)?${IPV4}`, `(?:${H16}:){1,4}:${IPV4}`,
].join('|');
const HTTP_URL_BODY = `https?://(?:(?:${LABEL}\\.)*[A-Za-z](?:[A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)?|${IPV4}|\\[(?:${IPV6})\\])`
  + `(?::${PORT})?(?:[/?#][A-Za-z0-9\\-._~!$&'()*+,;=:@/?#%]*)?`;
export const HTTP_URL_PATTERN = `^${HTTP_URL_BODY}$`;
const HTTP_URL = new RegExp(HTTP_URL_PATTERN);

function isHttpUrl(v: string): boolean {
  if (!HTTP_URL.test(v)) return false;
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

export function httpUrl(max: number) {
  return plainText(max).refine(isHttpUrl, { error: 'must be an http or https URL (host name or IPv4 address, no spaces)' })
    .meta(jsonSchema({ pattern: HTTP_URL_PATTERN }));
}

/** An optional http(s) URL: absent, empty (= absent) or as httpUrl. */
export function optionalHttpUrl(max: number) {
  return z.preprocess(emptyToUndefined, httpUrl(max).optional()).meta(jsonSchema({ minLength: null, pattern: `^(?:${HTTP_URL_BODY})?$` }));
}

export const ipAddress = plainText(32).refine((v) => isIP(v) !== 0, { error: 'must be an IPv4 or IPv6 address' })
  .meta(jsonSchema({ anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] }));

export const compactTime = plainText(14).regex(/^\d{14}$/, { error: 'must be yyyyMMddHHmmss' })
  .meta(jsonSchema({ pattern: '^[0-9]{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?:[01][0-9]|2[0-3])[0-5][0-9][0-5][0-9]$' }));

/** Yuan with at most two decimals, greater than 0 (domain/money.ts parseYuanToFen), as a JSON Schema pattern. */
export const POSITIVE_YUAN_PATTERN = '^(?:0*[1-9][0-9]*(?:\\.[0-9]{1,2})?|0+\\.(?:[1-9][0-9]?|0[1-9]))$';

/** Visible ASCII, no spaces: order numbers end up in URLs, workflow ids and channel requests. */
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;
export const orderNo = (max: number) => plainText(max).regex(VISIBLE_ASCII, { error: 'must be visible ASCII characters without spaces' });

/** An optional order number: absent, empty (= absent) or as orderNo. */
export const optionalOrderNo = (max: number) =>
  z.preprocess(emptyToUndefined, orderNo(max).optional()).meta(jsonSchema({ minLength: null, pattern: '^[\\x21-\\x7e]*$' }));

/** A merchant number (domain/merchant-no.ts). */
export const mercNo = () => plainText(32).regex(MERC_NO_PATTERN, { error: 'must be letters, digits, _ or - only' });

export { present };
