import { createHash } from 'node:crypto';

/**
 * Fingerprint of a merchant request's parameters (everything but signature and signType), so a repeat of the same
 * order can be told from a different order reusing its mercOrderNo.
 */
export function requestHash(fields: Record<string, string>): string {
  const canonical = Object.keys(fields)
    .filter((k) => k !== 'signature' && k !== 'signType' && fields[k] !== '')
    .sort()
    .map((k) => [k, fields[k]]);
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
}
