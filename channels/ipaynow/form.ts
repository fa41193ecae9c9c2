/**
 * IPayNow's message format, both ways: `k=v&k=v` with keys and values URL-encoded as UTF-8. Decoding also takes `+`
 * as a space (what Java's URLEncoder writes). A message is a flat map of strings.
 */
export type FormFields = Record<string, string>;

export type FormDecodeResult = { ok: true; fields: FormFields } | { ok: false; reason: string };

/** Encodes fields in their insertion order; undefined values are left out, empty strings are kept (`k=`). */
export function encodeForm(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/**
 * Decodes a form string. Refuses what cannot be read unambiguously: a pair without `=`, an empty key, a key given
 * twice (a signed message must mean one thing), a broken %-escape or bytes that are not UTF-8.
 */
export function decodeForm(text: string): FormDecodeResult {
  const fields: FormFields = Object.create(null) as FormFields;
  const trimmed = text.replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
  if (trimmed.length === 0) return { ok: false, reason: 'empty body' };
  for (const pair of trimmed.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) return { ok: false, reason: eq === 0 ? 'empty key' : 'a pair without "="' };
    const key = unescape(pair.slice(0, eq));
    const value = unescape(pair.slice(eq + 1));
    if (key === null || value === null) return { ok: false, reason: 'broken %-escape or not UTF-8' };
    if (Object.prototype.hasOwnProperty.call(fields, key)) return { ok: false, reason: `key ${key.slice(0, 40)} given twice` };
    fields[key] = value;
  }
  if (Object.keys(fields).length === 0) return { ok: false, reason: 'no fields' };
  return { ok: true, fields: { ...fields } };
}

function unescape(s: string): string | null {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
