import { join } from 'node:path';
import { dataDir } from './paths';
import { localOperatorCredential } from './local-operator';

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

/**
 * `npm start`: SUPPORT_OPERATORS from the environment when set (then nothing is written), otherwise one operator —
 * named after this machine's user — whose token is generated on the first start and kept in
 * .data/support-admin.json (mode 0600), so it stays the same across restarts.
 */
export function ensureSupportAdmin(env: NodeJS.ProcessEnv): SupportAdmin {
  if (env.SUPPORT_OPERATORS?.trim()) {
    return { operators: env.SUPPORT_OPERATORS, display: 'operators from SUPPORT_OPERATORS: set SUPPORT_TOKEN (and SUPPORT_ADMIN_URL) for the CLI', save: () => undefined };
  }
  const { operator, token, save } = localOperatorCredential(SUPPORT_ADMIN_FILE, '', 'local-operator');
  return { operators: `${operator}:${token}`, display: `operator ${operator}; token in ${SUPPORT_ADMIN_FILE} (mode 0600), which \`npm run support\` reads`, save };
}
