import { existsSync, readFileSync } from 'node:fs';
import { listenerRequest } from '../listener-request';
import { DEFAULT_ADMIN_URL } from '../support/client';
import { ADMIN_OPERATOR_FILE } from '../../devstack/admin-operator';

export interface AdminSettings {
  /** The API's admin listener (ADMIN_HOST:ADMIN_PORT), where the admin API is served. */
  adminUrl: string;
  /** An admin operator's token (ADMIN_OPERATORS): every change is audited under that operator's name. */
  token: string;
}

/** ADMIN_URL and ADMIN_TOKEN; when ADMIN_TOKEN is unset, the file `npm start` writes (its URL too, unless ADMIN_URL says). */
export function adminSettings(env: NodeJS.ProcessEnv = process.env): AdminSettings {
  const stored = env.ADMIN_TOKEN === undefined && existsSync(ADMIN_OPERATOR_FILE)
    ? (JSON.parse(readFileSync(ADMIN_OPERATOR_FILE, 'utf8')) as { token?: string; adminUrl?: string })
    : {};
  const token = env.ADMIN_TOKEN ?? stored.token;
  if (!token) throw new Error(`no admin token: set ADMIN_TOKEN to your token in the API's ADMIN_OPERATORS, or run \`npm start\` (it writes ${ADMIN_OPERATOR_FILE})`);
  return { adminUrl: (env.ADMIN_URL ?? stored.adminUrl ?? DEFAULT_ADMIN_URL).replace(/\/$/, ''), token };
}

/** Calls the admin API (/admin/v1); resolves with the JSON answer, rejects with ListenerApiError for an error answer. */
export function adminRequest<T>(s: AdminSettings, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  return listenerRequest<T>(s, method, `/admin/v1${path}`, body, 'ADMIN_URL');
}
