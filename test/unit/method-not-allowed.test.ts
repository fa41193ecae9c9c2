import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { createAdminApp } from '../../api/admin-app';
import { createRateLimits } from '../../api/rate-limits';
import { createApiMetrics } from '../../observability/api-metrics';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createPool } from '../../db/pool';

// Issue 15: a known path with a method it does not have answers 405 with Allow (not 404), on both listeners, before
// any body is read or any dependency is asked (the pool and Temporal here lead nowhere). Unknown paths stay 404.
const TOKEN = 'unit-test-token-0123456789';
const deps = {
  config: loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent', SUPPORT_OPERATORS: `unit:${TOKEN}` }),
  pool: createPool('postgres://nobody@127.0.0.1:1/none', 1),
  temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
  log: createLogger('silent', 'test'),
  now: Date.now,
};
const metrics = createApiMetrics();
const ctx = { ...deps, metrics, limits: createRateLimits({ ...deps, metrics }) };
const servers: Server[] = [];

async function serve(app: Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

let merchantUrl: string;
let adminUrl: string;
beforeAll(async () => {
  merchantUrl = await serve(createApp(ctx, metrics));
  adminUrl = await serve(createAdminApp(ctx, metrics));
});
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await deps.pool.end();
});

describe('405 Method Not Allowed with Allow', () => {
  it.each([
    ['merchant', 'PATCH', '/api/pay', 'OPTIONS, POST'],
    ['merchant', 'GET', '/api/query', 'OPTIONS, POST'],
    ['merchant', 'PUT', '/channels/ipaynow/notify', 'OPTIONS, POST'],
    ['merchant', 'DELETE', '/healthz', 'GET, HEAD, OPTIONS'],
    ['merchant', 'POST', '/openapi.json', 'GET, HEAD, OPTIONS'],
    ['merchant', 'PATCH', '/sandbox/cashier/ABC', 'GET, HEAD, OPTIONS'],
    ['admin', 'POST', '/metrics', 'GET, HEAD, OPTIONS'],
    ['admin', 'PUT', '/readyz', 'GET, HEAD, OPTIONS'],
  ] as const)('%s listener: %s %s → 405, Allow: %s', async (listener, method, path, allow) => {
    const res = await fetch(`${listener === 'merchant' ? merchantUrl : adminUrl}${path}`, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    if (path.startsWith('/api/')) expect(((await res.json()) as { respCode: string }).respCode).toBe('100001');
  });

  it('support routes: credentials first (401 without a token), then 405 with Allow in the support error format', async () => {
    expect((await fetch(`${adminUrl}/support/v1/notifications/replay`, { method: 'GET' })).status).toBe(401);
    const res = await fetch(`${adminUrl}/support/v1/notifications/replay`, { method: 'GET', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('OPTIONS, POST');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
    const job = await fetch(`${adminUrl}/support/v1/jobs/00000000-0000-4000-8000-000000000000`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect([job.status, job.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
  });

  it('OPTIONS answers 204 with Allow; unknown paths stay 404', async () => {
    const options = await fetch(`${merchantUrl}/api/close`, { method: 'OPTIONS' });
    expect([options.status, options.headers.get('allow')]).toEqual([204, 'OPTIONS, POST']);
    expect((await fetch(`${merchantUrl}/api/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${merchantUrl}/nothing`, { method: 'PUT' })).status).toBe(404);
    expect((await fetch(`${adminUrl}/support/v1/nothing`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
  });
});
