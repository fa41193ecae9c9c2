import { createHash } from 'node:crypto';
import type { Mode } from '../domain/mode';

/**
 * Fingerprint of a merchant request's parameters (everything but signature and signType, and the mode), so a repeat of the same
 * order can be told from a different order reusing its mercOrderNo.
 */
export function requestHash(fields: Record<string, string>, mode: Mode = 'live'): string {
  const canonical = Object.keys(fields)
    .filter((k) => k !== 'signature' && k !== 'signType' && fields[k] !== '')
    .sort()
    .map((k) => [k, fields[k]]);
  // A test request never matches a live order's fingerprint (nor the reverse): reusing a mercOrderNo across modes
  // is a conflict, never a repeat. Live fingerprints are as they were before modes.
  if (mode === 'test') canonical.push(['livemode', 'false']);
  return createHash('sha256').update(JSON.stringify(canonical), 'utf8').digest('hex');
}
