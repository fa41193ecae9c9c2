import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it, inject } from 'vitest';
import express from 'express';
import { Registry } from 'prom-client';
import { databaseCheck, opsRoutes, workerRunningCheck, type ReadinessCheck } from '../../observability/health';
import { createPool } from '../../db/pool';
import { freePort } from '../../devstack/paths';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { startApi } from '../../api/server';

const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

/** Serves opsRoutes over the given checks on a loopback port; returns its base URL. */
async function serve(checks: Record<string, ReadinessCheck>, timeoutMs?: number): Promise<string> {
  const app = express();
  app.use(opsRoutes({ checks, registry: new Registry(), ...(timeoutMs ? { timeoutMs } : {}) }));
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
};

const ok: ReadinessCheck = async () => undefined;

describe('readiness handler', () => {
  it('is ready when every check passes', async () => {
    const url = await serve({ database: ok, temporal: ok });
    expect(await get(`${url}/readyz`)).toEqual({ status: 200, body: { status: 'ready', checks: { database: 'ok', temporal: 'ok' } } });
    expect((await get(`${url}/healthz`)).status).toBe(200);
  });

  it('answers 503 naming the database when PostgreSQL is unreachable; liveness stays 200', async () => {
    const pool = createPool(`postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`, 1);
    try {
      const url = await serve({ database: databaseCheck(pool), temporal: ok });
      const ready = await get(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('unavailable');
      expect(ready.body.checks.database).toMatch(/^failed: .*ECONNREFUSED/);
      expect(ready.body.checks.temporal).toBe('ok');
      expect(await get(`${url}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      await pool.end();
    }
  });

  it('a check that does not answer in time fails the readiness', async () => {
    const url = await serve({ hanging: () => new Promise<void>(() => undefined) }, 50);
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.checks.hanging).toContain('did not answer within 50 ms');
  });

  it('a worker that is not polling is not ready', async () => {
    await expect(workerRunningCheck({ getState: () => 'RUNNING' })()).resolves.toBeUndefined();
    await expect(workerRunningCheck({ getState: () => 'DRAINING' })()).rejects.toThrow('worker is DRAINING');
  });

  it('an API started against a wrong DATABASE_URL is alive but not ready: 503 on both listeners, the reason only on the admin one', async () => {
    const config = loadConfig({
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${await freePort()}/none`,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      API_PORT: '0',
      ADMIN_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const pool = createPool(config.databaseUrl, 1);
    const api = await startApi({ config, pool, log: createLogger('silent', 'test') });
    try {
      const admin = await get(`${api.adminUrl}/readyz`);
      expect(admin.status).toBe(503);
      expect(admin.body.checks).toMatchObject({ temporal: 'ok' });
      expect(admin.body.checks.database).toMatch(/^failed: /);
      expect(await get(`${api.url}/readyz`)).toEqual({ status: 503, body: { status: 'unavailable' } });
      expect((await get(`${api.url}/healthz`)).status).toBe(200);
    } finally {
      await api.stop();
      await pool.end();
    }
  });
});
