import { existsSync, readFileSync } from 'node:fs';
import { SUPPORT_ADMIN_FILE as SUPPORT_FILE } from '../../devstack/support-admin';

export interface SupportSettings {
  /** The API's admin listener (ADMIN_HOST:ADMIN_PORT), where the support API is served. */
  adminUrl: string;
  token: string;
}

/** An answer of the support API other than 2xx: its error code and message. */
export class SupportApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'SupportApiError';
  }
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

/** Calls the support API; resolves with the JSON answer, rejects with SupportApiError for an error answer. */
export async function supportRequest<T>(s: SupportSettings, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${s.adminUrl}/support/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach the API's admin listener at ${s.adminUrl} (${cause ?? (err as Error).message}): is it running? (SUPPORT_ADMIN_URL)`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SupportApiError(res.status, 'not_json', `HTTP ${res.status} from ${s.adminUrl}: not a JSON answer (is this the API's admin listener, ADMIN_PORT?)`);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new SupportApiError(res.status, e?.code ?? 'error', `HTTP ${res.status} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`);
  }
  return parsed as T;
}
