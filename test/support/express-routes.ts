import type { Express } from 'express';
import { routeTable } from '../../api/routes-table';

/**
 * Every route of an Express app as "METHOD /path" (Express-style `:param` paths), including routers mounted under a
 * path. An empty answer means the router internals changed, and callers should fail on it.
 */
export function listRoutes(app: Express): string[] {
  return routeTable(app).map((r) => `${r.method} ${r.path}`);
}
