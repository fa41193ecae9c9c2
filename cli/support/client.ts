import { existsSync, readFileSync } from 'node:fs';
import { listenerRequest } from '../listener-request';
import { SUPPORT_ADMIN_FILE as SUPPORT_FILE } from '../../devstack/support-admin';

export interface SupportSettings {
  /** The API's admin listener (ADMIN_HOST:ADMIN_PORT), where the support API is served. */
  adminUrl: string;
  token: string;
}

/** The admin listener's default address (ADMIN_HOST:ADMIN_PORT defaults). */
export const DEFAULT_ADMIN_URL = 'http://127.0.0.1:8081';

/** SUPPORT_ADMIN_URL / SUPPORT_TOKEN, else the file `npm start` writes. */
export function supportSettings(env: NodeJS.ProcessEnv = process.env): SupportSettings {
  if (env.SUPPORT_API_URL !== undefined && env.SUPPORT_ADMIN_URL === undefined) {
    throw new Error('SUPPORT_API_URL is now SUPPORT_ADMIN_URL: the support API is served on the admin listener (ADMIN_HOST:ADMIN_PORT), not the merchant port');
  }
  const stored = existsSync(SUPPORT_FILE) ? (JSON.parse(readFileSync(SUPPORT_FILE, 'utf8')) as Partial<SupportSettings>) : {};
  const adminUrl = (env.SUPPORT_ADMIN_URL ?? stored.adminUrl ?? DEFAULT_ADMIN_URL).replace(/\/$/, '');
  const token = env.SUPPORT_TOKEN ?? stored.token;
  if (!token) {
    throw new Error(`no operator token: set SUPPORT_TOKEN (your token in the API's SUPPORT_OPERATORS), or run \`npm start\` (it writes ${SUPPORT_FILE})`);
  }
  return { adminUrl, token };
}

/** Calls the support API (/support/v1); resolves with the JSON answer, rejects with ListenerApiError for an error answer. */
export function supportRequest<T>(s: SupportSettings, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return listenerRequest<T>(s, method, `/support/v1${path}`, body, 'SUPPORT_ADMIN_URL');
}
