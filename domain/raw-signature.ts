import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The raw-body signature (sign type HMAC-SHA256-RAW), which cannot be re-split: the signed bytes are exactly the
 * bytes sent. Header `Paydurable-Signature: t=<unix seconds>,v1=<hex>`, where v1 = lowercase hex
 * HMAC-SHA256(key, "<t>.<raw body>"). A request is accepted within TOLERANCE_SECONDS of its t, once (replay cache).
 * The platform's answers and notifications carry the same header over their own body, with one v1 per key that
 * verifies at the time (so a merchant mid-rotation can check with either key).
 */
export const SIGNATURE_HEADER = 'Paydurable-Signature';
export const TOLERANCE_SECONDS = 300;

export interface ParsedSignatureHeader {
  t: number;
  v1: string[];
}

/** Parses the header; a problem is returned as text (for the 100002 answer), never thrown. */
export function parseSignatureHeader(header: string): ParsedSignatureHeader | string {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (eq < 0) return `${SIGNATURE_HEADER} must be t=<unix seconds>,v1=<hex>`;
    if (k === 't') {
      if (!/^\d{1,12}$/.test(v)) return `${SIGNATURE_HEADER} t must be unix seconds`;
      t = Number(v);
    } else if (k === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(v)) return `${SIGNATURE_HEADER} v1 must be 64 hex digits`;
      v1.push(v.toLowerCase());
    }
  }
  if (t === undefined) return `${SIGNATURE_HEADER} has no t`;
  if (v1.length === 0) return `${SIGNATURE_HEADER} has no v1`;
  if (v1.length > 4) return `${SIGNATURE_HEADER} has too many v1`;
  return { t, v1 };
}

export function rawSignature(key: string, t: number, rawBody: Buffer | string): string {
  return createHmac('sha256', key).update(`${t}.`, 'utf8').update(rawBody).digest('hex');
}

/** Whether any of the header's v1 values is the signature of the body under `key` (each compared in constant time). */
export function rawSignatureMatches(key: string, parsed: ParsedSignatureHeader, rawBody: Buffer | string): string | null {
  const expected = Buffer.from(rawSignature(key, parsed.t, rawBody), 'utf8');
  let match: string | null = null;
  for (const v of parsed.v1) {
    const actual = Buffer.from(v, 'utf8');
    if (actual.length === expected.length && timingSafeEqual(actual, expected)) match = v;
  }
  return match;
}

/** The header value for a body the platform sends: one v1 per key. */
export function signatureHeaderValue(keys: string[], t: number, rawBody: Buffer | string): string {
  return [`t=${t}`, ...keys.map((k) => `v1=${rawSignature(k, t, rawBody)}`)].join(',');
}
