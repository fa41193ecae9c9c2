import { TEST_ADMIN_TOKEN } from './stack-core';

export interface AdminAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface AdminErrorAnswer {
  error: { code: string; message: string; field?: string };
}

/** Calls the admin API on the admin listener as the test admin operator (or with `token`; null = no Authorization header). */
export async function adminCall<T = Record<string, unknown>>(
  adminUrl: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  opts: { body?: unknown; token?: string | null } = {},
): Promise<AdminAnswer<T>> {
  const token = opts.token === undefined ? TEST_ADMIN_TOKEN : opts.token;
  const res = await fetch(`${adminUrl}${path}`, {
    method,
    headers: { ...(token === null ? {} : { Authorization: `Bearer ${token}` }), ...(opts.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(opts.body !== undefined ? { body: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}
