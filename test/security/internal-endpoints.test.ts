import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, TEST_OPERATOR_TOKEN, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { startApi } from '../../api/server';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createPool } from '../../db/pool';
import { freePort } from '../../devstack/paths';

// Finding 5: the support API, /metrics, detailed readiness and the internal docs are served by the admin listener
// only; the merchant listener answers 404 for them and says only "ready" or "unavailable" on /readyz.
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await stack?.stop();
});

const bearer = { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` };
const adminBearer = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const INTERNAL = [
  ['GET', '/support/v1/notifications/exhausted'],
  ['GET', '/support/v1/ambiguous'],
  ['POST', '/support/v1/notifications/replay'],
  ['GET', '/support/v1/orders/12345678901234567890'],
  ['POST', '/admin/v1/merchants'],
  ['GET', '/admin/v1/merchants/ORG1000000000001'],
  ['POST', '/admin/v1/merchants/ORG1000000000001/keys/rotate'],
  ['GET', '/metrics'],
] as const;

describe('internal endpoints are not on the merchant listener', () => {
  it('every support route and /metrics is 404 on the merchant port, with or without a valid token', async () => {
    expect(stack.api.adminUrl).not.toBe(stack.api.url);
    for (const [method, path] of INTERNAL) {
      for (const headers of [{}, bearer, adminBearer]) {
        const res = await fetch(`${stack.api.url}${path}`, {
          method, headers: { ...headers, 'Content-Type': 'application/json' }, ...(method === 'POST' ? { body: '{"filter":{},"dryRun":true}' } : {}),
        });
        expect(res.status, `${method} ${path}`).toBe(404);
        const text = await res.text();
        expect(text, `${method} ${path}`).not.toMatch(/support|paydurable_|admin|token/i);
      }
    }
  });

  it('the same routes work on the admin port', async () => {
    const exhausted = await fetch(`${stack.api.adminUrl}/support/v1/notifications/exhausted`, { headers: bearer });
    expect(exhausted.status).toBe(200);
    expect(await exhausted.json()).toMatchObject({ total: expect.any(Number), orders: expect.any(Array) });
    const dryRun = await fetch(`${stack.api.adminUrl}/support/v1/notifications/replay`, {
      method: 'POST', headers: { ...bearer, 'Content-Type': 'application/json' }, body: '{"filter":{"mercNo":"NOBODY"},"dryRun":true}',
    });
    expect(dryRun.status).toBe(200);
    expect(await dryRun.json()).toMatchObject({ dryRun: true, count: 0 });
    const metrics = await fetch(`${stack.api.adminUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('paydurable_pay_answer_duration_seconds');
  });

  it('the merchant document lists no internal operation; the admin listener documents them', async () => {
    const merchantDoc = (await (await fetch(`${stack.api.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const paths = Object.keys(merchantDoc.paths);
    expect(paths).toContain('/api/pay');
    expect(paths.filter((p) => p.startsWith('/support') || p === '/metrics')).toEqual([]);
    expect(await (await fetch(`${stack.api.url}/docs`)).text()).not.toContain('/support/v1');
    const adminDoc = (await (await fetch(`${stack.api.adminUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(adminDoc.paths)).toEqual(expect.arrayContaining(['/support/v1/orders/{ref}', '/metrics', '/readyz']));
    expect(Object.keys(adminDoc.paths).filter((p) => p.startsWith('/api/'))).toEqual([]);
  });
});

describe('readiness on the merchant listener', () => {
  it('an API whose database is unreachable says "unavailable" on the merchant port and nothing about why', async () => {
    const pgPort = await freePort();
    const config = loadConfig({
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${pgPort}/none`,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      API_PORT: '0',
      ADMIN_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const pool = createPool(config.databaseUrl, 1);
    const api = await startApi({ config, pool, log: createLogger('silent', 'test') });
    try {
      const merchant = await fetch(`${api.url}/readyz`);
      expect(merchant.status).toBe(503);
      const text = await merchant.text();
      expect(JSON.parse(text)).toEqual({ status: 'unavailable' });
      for (const leak of ['ECONNREFUSED', String(pgPort), '127.0.0.1', 'database', 'failed', 'temporal']) expect(text).not.toContain(leak);
      // The reason is where operators look: the admin listener.
      const admin = (await (await fetch(`${api.adminUrl}/readyz`)).json()) as { checks: Record<string, string> };
      expect(admin.checks.database).toMatch(/^failed: /);
    } finally {
      await api.stop();
      await pool.end();
    }
  });
});
