import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { OPERATOR_NAME } from '../config/support-operators';

/** One operator credential of the local stack, kept in a 0600 file under .data/ so it survives restarts. */
export interface LocalOperatorCredential {
  operator: string;
  /** Secret: never printed. */
  token: string;
  /** Records the admin listener's URL beside the credential, for the CLI. */
  save(adminUrl: string): void;
}

/** This machine's user as an operator name (a-z 0-9 . _ -) with `suffix`, or `fallback` when it cannot be one. */
function localOperatorName(suffix: string, fallback: string): string {
  let name = '';
  try {
    name = `${userInfo().username.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 64 - suffix.length)}${suffix}`;
  } catch {
    // no passwd entry for this uid
  }
  return OPERATOR_NAME.test(name) ? name : fallback;
}

/**
 * The operator stored in `file`, or a new one named after this machine's user (its token generated now and written
 * to `file`, mode 0600).
 */
export function localOperatorCredential(file: string, nameSuffix: string, fallbackName: string): LocalOperatorCredential {
  const stored = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { operator?: string; token?: string; adminUrl?: string })
    : {};
  const operator = stored.operator && OPERATOR_NAME.test(stored.operator) ? stored.operator : localOperatorName(nameSuffix, fallbackName);
  const token = stored.token ?? randomBytes(24).toString('base64url');
  const write = (adminUrl?: string) =>
    writeFileSync(file, `${JSON.stringify({ operator, token, ...(adminUrl ? { adminUrl } : {}) }, null, 2)}\n`, { mode: 0o600 });
  if (stored.operator !== operator || stored.token !== token) write();
  return { operator, token, save: (adminUrl) => write(adminUrl) };
}
