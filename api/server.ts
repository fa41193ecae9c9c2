import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import { Client } from '@temporalio/client';
import { connectTemporalClient } from '../temporal/client-connection';
import type { AppConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import { createApiMetrics } from '../observability/api-metrics';
import { createApp } from './app';
import { createRateLimits } from './rate-limits';
import type { ApiContext } from './context';
import { createAdminApp } from './admin-app';

export interface ApiHandle {
  /** The merchant-facing listener (API_HOST:API_PORT). */
  server: Server;
  url: string;
  /** The admin listener (ADMIN_HOST:ADMIN_PORT): support API, metrics, detailed readiness, internal docs. */
  adminServer: Server;
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the API's two listeners over one Temporal client and the pool: the merchant listener on
 * config.api.host:port and the admin listener on config.admin.host:port (port 0 = any free port).
 */
export async function startApi(opts: { config: AppConfig; pool: Pool; log: Logger; now?: () => number }): Promise<ApiHandle> {
  const { config, pool, log } = opts;
  const { connection, close: closeConnection } = await connectTemporalClient(temporalConnectionOptions(config.temporal));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const deps = { config, pool, temporal, log, now: opts.now ?? Date.now };
  const metrics = createApiMetrics(); // one registry: the merchant listener times /api/pay, the admin one serves it
  const ctx: ApiContext = { ...deps, metrics, limits: createRateLimits({ ...deps, metrics }) };
  const servers: Server[] = [];
  try {
    const merchant = await listen(createApp(ctx, metrics), config.api.host, config.api.port, servers);
    const admin = await listen(createAdminApp(ctx, metrics), config.admin.host, config.admin.port, servers);
    return {
      server: merchant.server,
      url: merchant.url,
      adminServer: admin.server,
      adminUrl: admin.url,
      async stop() {
        await Promise.all(servers.map(close));
        await closeConnection();
      },
    };
  } catch (err) {
    await Promise.all(servers.map(close));
    await closeConnection();
    throw err;
  }
}

async function listen(app: Express, host: string, port: number, servers: Server[]): Promise<{ server: Server; url: string }> {
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  servers.push(server);
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

async function close(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}
