/** An answer of the admin listener's APIs (support, admin) other than 2xx: its status, error code and message. */
export class ListenerApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
    this.name = 'ListenerApiError';
  }
}

/**
 * Calls one of the admin listener's JSON APIs with an operator's bearer token; resolves with the JSON answer, rejects
 * with ListenerApiError for an error answer (`{ error: { code, message } }`). `urlSetting` names the variable that
 * points at the listener, for the message when it cannot be reached.
 */
export async function listenerRequest<T>(
  s: { adminUrl: string; token: string }, method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, urlSetting: string,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${s.adminUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${s.token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach the API's admin listener at ${s.adminUrl} (${cause ?? (err as Error).message}): is it running? (${urlSetting})`);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ListenerApiError(res.status, 'not_json', `HTTP ${res.status} from ${s.adminUrl}: not a JSON answer (is this the API's admin listener, ADMIN_PORT?)`);
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string } }).error;
    throw new ListenerApiError(res.status, e?.code ?? 'error', `HTTP ${res.status} ${e?.code ?? ''}: ${e?.message ?? text.slice(0, 200)}`);
  }
  return parsed as T;
}
