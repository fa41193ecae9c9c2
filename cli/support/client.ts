import { existsSync, readFileSync } from 'node:fs';
import { SUPPORT_ADMIN_FILE as SUPPORT_FILE } from '../../devstack/support-admin';

export interface SupportSettings {
  apiUrl: string;
  token: string;
}

/** An answer of the support API other than 2xx: its error code and message. */
export class SupportApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'SupportApiError';
  }
}

/** SUPPORT_API_URL / SUPPORT_TOKEN, else the file `npm start` writes. */
export function supportSettings(env: NodeJS.ProcessEnv = process.env): SupportSettings {
  const stored = existsSync(SUPPORT_FILE) ? (JSON.parse(readFileSync(SUPPORT_FILE, 'utf8')) as Partial<SupportSettings>) : {};
  const apiUrl = (env.SUPPORT_API_URL ?? stored.apiUrl ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
  const token = env.SUPPORT_TOKEN ?? stored.token;
  if (!token) {
    throw new Error(`no admin token: set SUPPORT_TOKEN (one of the API's ADMIN_TOKENS), or run \`npm start\` (it writes ${SUPPORT_FILE})`);
  }
  return { apiUrl, token };
}

/** Calls the support API; resolves with the JSON answer, rejects with SupportApiError for an error answer. */
export async function supportRequest<T>(s: SupportSettings, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${s.apiUrl}/support/v1${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach the API at ${s.apiUrl} (${cause ?? (err as Error).message}): is it running? (SUPPORT_API_URL)`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SupportApiError(res.status, 'not_json', `HTTP ${res.status} from ${s.apiUrl}: not a JSON answer (is this the payment API?)`);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new SupportApiError(res.status, e?.code ?? 'error', `HTTP ${res.status} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`);
  }
  return parsed as T;
}
