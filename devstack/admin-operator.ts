import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { dataDir } from './paths';
import { localOperatorCredential } from './local-operator';

/** The local stack's admin API credential, read by `npm run admin` (cli/admin/client.ts) when ADMIN_TOKEN is unset. */
export const ADMIN_OPERATOR_FILE = join(dataDir, 'admin-operator.json');

export interface LocalAdminOperator {
  /** ADMIN_OPERATORS for the API process: the token's SHA-256 only (name:sha256:<hex>), as production should give it. */
  operators: string;
  display: string;
  save(adminUrl: string): void;
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
  const { operator, token, save } = localOperatorCredential(ADMIN_OPERATOR_FILE, '-admin', 'local-admin');
  return {
    operators: `${operator}:sha256:${createHash('sha256').update(token, 'utf8').digest('hex')}`,
    display: `admin operator ${operator}; token in ${ADMIN_OPERATOR_FILE} (mode 0600), which \`npm run admin\` reads`,
    save,
  };
}
