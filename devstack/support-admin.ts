import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { dataDir } from './paths';
import { OPERATOR_NAME } from '../config/support-operators';

/** The local stack's support API credentials, read by `npm run support` (cli/support/client.ts). */
export const SUPPORT_ADMIN_FILE = join(dataDir, 'support-admin.json');

export interface SupportAdmin {
  /** SUPPORT_OPERATORS for the API process. */
  operators: string;
  /** What to print: the operator's name and where its token is (never the token), or where the credentials come from. */
  display: string;
  /** Records the admin listener's URL beside the credentials (only for the ones this stack generated). */
  save(adminUrl: string): void;
}

/** This machine's user as an operator name (a-z 0-9 . _ -), for the local stack's one operator. */
function localOperatorName(): string {
  let name = '';
  try {
    name = userInfo().username.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 64);
  } catch {
    // no passwd entry for this uid
  }
  return OPERATOR_NAME.test(name) ? name : 'local-operator';
}

/**
 * `npm start`: SUPPORT_OPERATORS from the environment when set (then nothing is written), otherwise one operator —
 * named after this machine's user — whose token is generated on the first start and kept in
 * .data/support-admin.json (mode 0600), so it stays the same across restarts.
 */
export function ensureSupportAdmin(env: NodeJS.ProcessEnv): SupportAdmin {
  if (env.SUPPORT_OPERATORS?.trim()) {
    return { operators: env.SUPPORT_OPERATORS, display: 'operators from SUPPORT_OPERATORS: set SUPPORT_TOKEN (and SUPPORT_ADMIN_URL) for the CLI', save: () => undefined };
  }
  const stored = existsSync(SUPPORT_ADMIN_FILE)
    ? (JSON.parse(readFileSync(SUPPORT_ADMIN_FILE, 'utf8')) as { operator?: string; token?: string; adminUrl?: string })
    : {};
  const operator = stored.operator && OPERATOR_NAME.test(stored.operator) ? stored.operator : localOperatorName();
  const token = stored.token ?? randomBytes(24).toString('base64url');
  const write = (adminUrl?: string) =>
    writeFileSync(SUPPORT_ADMIN_FILE, `${JSON.stringify({ operator, token, ...(adminUrl ? { adminUrl } : {}) }, null, 2)}\n`, { mode: 0o600 });
  if (stored.operator !== operator || stored.token !== token) write();
  return { operators: `${operator}:${token}`, display: `operator ${operator}; token in ${SUPPORT_ADMIN_FILE} (mode 0600), which \`npm run support\` reads`, save: (adminUrl) => write(adminUrl) };
}
