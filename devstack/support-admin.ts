import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './paths';

/** The local stack's support API credentials, read by `npm run support` (cli/support/client.ts). */
export const SUPPORT_ADMIN_FILE = join(dataDir, 'support-admin.json');

export interface SupportAdmin {
  /** ADMIN_TOKENS for the API process. */
  adminTokens: string;
  /** What to print: the generated token, or where the tokens come from. */
  display: string;
  /** Records the admin listener's URL beside the token (only for a token this stack generated). */
  save(adminUrl: string): void;
}

/**
 * `npm start`: ADMIN_TOKENS from the environment when set (then nothing is written), otherwise the token generated on
 * the first start and kept in .data/support-admin.json (mode 0600), so it stays the same across restarts.
 */
export function ensureSupportAdmin(env: NodeJS.ProcessEnv): SupportAdmin {
  if (env.ADMIN_TOKENS?.trim()) {
    return { adminTokens: env.ADMIN_TOKENS, display: 'from ADMIN_TOKENS (set SUPPORT_TOKEN and SUPPORT_ADMIN_URL for the CLI)', save: () => undefined };
  }
  const stored = existsSync(SUPPORT_ADMIN_FILE) ? (JSON.parse(readFileSync(SUPPORT_ADMIN_FILE, 'utf8')) as { token?: string }) : {};
  const token = stored.token ?? randomBytes(24).toString('base64url');
  const write = (adminUrl?: string) =>
    writeFileSync(SUPPORT_ADMIN_FILE, `${JSON.stringify({ token, ...(adminUrl ? { adminUrl } : {}) }, null, 2)}\n`, { mode: 0o600 });
  if (!stored.token) write();
  return { adminTokens: token, display: token, save: (adminUrl) => write(adminUrl) };
}
