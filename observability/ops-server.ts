import { createServer } from 'node:http';
import express from 'express';
import type { Registry } from 'prom-client';
import { opsRoutes, type CircuitSource, type ReadinessCheck } from './health';

export interface OpsServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * A small HTTP server for a process that has no API of its own (the worker): /healthz, /readyz and /metrics only.
 * Port 0 here means "any free port"; callers decide whether to start it at all.
 */
export async function startOpsServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  circuits?: CircuitSource;
}): Promise<OpsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(opsRoutes({ checks: opts.checks, registry: opts.registry, ...(opts.circuits ? { circuits: opts.circuits } : {}) }));
  app.use((_req, res) => void res.status(404).json({ error: 'not found' }));
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
