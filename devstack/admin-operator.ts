import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { dataDir } from './paths';
import { OPERATOR_NAME } from '../config/support-operators';

/** The local stack's admin API credential, read by `npm run admin` (cli/admin/client.ts) when ADMIN_TOKEN is unset. */
export const ADMIN_OPERATOR_FILE = join(dataDir, 'admin-operator.json');

export interface LocalAdminOperator {
  /** ADMIN_OPERATORS for the API process: the token's SHA-256 only (name:sha256:<hex>), as production should give it. */
  operators: string;
  display: string;
  save(adminUrl: string): void;
}

function localName(): string {
  let name = '';
  try {
    name = `${userInfo().username.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').slice(0, 58)}-admin`;
  } catch {
    // no passwd entry for this uid
  }
  return OPERATOR_NAME.test(name) ? name : 'local-admin';
}

/**
 * `npm start`: ADMIN_OPERATORS from the environment when set (nothing is written), otherwise one admin operator
 * whose token is generated on the first start and kept in .data/admin-operator.json (mode 0600); the API gets only
 * its SHA-256.
 */
export function ensureLocalAdminOperator(env: NodeJS.ProcessEnv): LocalAdminOperator {
  if (env.ADMIN_OPERATORS?.trim()) {
    return { operators: env.ADMIN_OPERATORS, display: 'operators from ADMIN_OPERATORS: set ADMIN_TOKEN (and ADMIN_URL) for the CLI', save: () => undefined };
  }
  const stored = existsSync(ADMIN_OPERATOR_FILE)
    ? (JSON.parse(readFileSync(ADMIN_OPERATOR_FILE, 'utf8')) as { operator?: string; token?: string; adminUrl?: string })
    : {};
  const operator = stored.operator && OPERATOR_NAME.test(stored.operator) ? stored.operator : localName();
  const token = stored.token ?? randomBytes(24).toString('base64url');
  const write = (adminUrl?: string) =>
    writeFileSync(ADMIN_OPERATOR_FILE, `${JSON.stringify({ operator, token, ...(adminUrl ? { adminUrl } : {}) }, null, 2)}\n`, { mode: 0o600 });
  if (stored.operator !== operator || stored.token !== token) write();
  return {
    operators: `${operator}:sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`,
    display: `admin operator ${operator}; token in ${ADMIN_OPERATOR_FILE} (mode 0600), which \`npm run admin\` reads`,
    save: (adminUrl) => write(adminUrl),
  };
}
