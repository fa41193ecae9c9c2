import { TEST_OPERATOR_TOKEN } from './stack-core';

export interface SupportAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the support API on the admin listener (`adminUrl`) as the test operator (or with `token`; null sends no Authorization header). */
export async function supportCall<T = Record<string, unknown>>(
  adminUrl: string,
  method: 'GET' | 'POST',
  path: string,
  opts: { body?: unknown; token?: string | null; authorization?: string } = {},
): Promise<SupportAnswer<T>> {
  const token = opts.token === undefined ? TEST_OPERATOR_TOKEN : opts.token;
  const authorization = opts.authorization ?? (token === null ? undefined : `Bearer ${token}`);
  const res = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { ...(authorization ? { Authorization: authorization } : {}), ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
