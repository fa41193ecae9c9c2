import type { Express, Router } from 'express';

/** The parts of an Express 5 router layer that route listing reads (router 2.x internals). */
interface LayerLike {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: unknown;
}

export interface RouteEntry {
  method: string;
  /** Express-style path (`/a/:id`), mount paths included. */
  path: string;
}

/**
 * Every route of an Express app or router, including routers mounted under a path. Reads router internals; an empty
 * answer means those changed (test/unit/openapi.test.ts fails on it).
 */
export function routeTable(owner: Express | Router, prefix = ''): RouteEntry[] {
  const o = owner as unknown as { router?: { stack: LayerLike[] }; stack?: LayerLike[] };
  return walk(o.router?.stack ?? o.stack ?? [], prefix);
}

function walk(stack: LayerLike[], prefix: string): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push({ method: method.toUpperCase(), path: `${prefix}${layer.route.path}` });
      }
      continue;
    }
    const nested = (layer.handle as { stack?: unknown }).stack;
    if (layer.name === 'router' && Array.isArray(nested)) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      out.push(...walk(nested as LayerLike[], `${prefix}${mount}`));
    }
  }
  return out;
}

/** `/a/:id.svg` → a case-insensitive regex of the request path (one segment per parameter, optional trailing slash). */
function pathRegex(path: string): RegExp {
  const source = path.split(/(:[A-Za-z_][A-Za-z0-9_]*)/).map((part, i) => (i % 2 === 1 ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${source}/?$`, 'i');
}

/**
 * The methods a path is served with, from a route table (HEAD with GET, as Express answers it), or [] when no route
 * has that path. Used to answer 405 with `Allow` for a known path and a method it does not have.
 */
export function allowedMethods(routes: readonly RouteEntry[]): (path: string) => string[] {
  const compiled = routes.map((r) => ({ method: r.method, regex: pathRegex(r.path) }));
  return (path) => {
    const methods = new Set(compiled.filter((r) => r.regex.test(path)).map((r) => r.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
