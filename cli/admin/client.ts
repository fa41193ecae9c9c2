import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_ADMIN_URL } from '../support/client';
import { ADMIN_OPERATOR_FILE } from '../../devstack/admin-operator';

export interface AdminSettings {
  /** The API's admin listener (ADMIN_HOST:ADMIN_PORT), where the admin API is served. */
  adminUrl: string;
  /** An admin operator's token (ADMIN_OPERATORS): every change is audited under that operator's name. */
  token: string;
}

/** An answer of the admin API other than 2xx: its status, error code and message. */
export class AdminApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'AdminApiError';
  }
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

/** Calls the admin API (/admin/v1); resolves with the JSON answer, rejects with AdminApiError for an error answer. */
export async function adminRequest<T>(s: AdminSettings, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${s.adminUrl}/admin/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach the API's admin listener at ${s.adminUrl} (${cause ?? (err as Error).message}): is it running? (ADMIN_URL)`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AdminApiError(res.status, 'not_json', `HTTP ${res.status} from ${s.adminUrl}: not a JSON answer (is this the API's admin listener, ADMIN_PORT?)`);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new AdminApiError(res.status, e?.code ?? 'error', `HTTP ${res.status} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`);
  }
  return parsed as T;
}
