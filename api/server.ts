import { createServer, type Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../config';
import { temporalConnectionOptions } from '../config/temporal';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import { createApp } from './app';

export interface ApiHandle {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

/** Starts the API on config.api.host:port (port 0 = any free port) over a Temporal client and the pool. */
export async function startApi(opts: { config: AppConfig; pool: Pool; log: Logger; now?: () => number }): Promise<ApiHandle> {
  const { config, pool, log } = opts;
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ config, pool, temporal, log, now: opts.now ?? Date.now });
  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  return {
    server,
    url: `http://${config.api.host}:${port}`,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await connection.close();
    },
  };
}
