import type { Express } from 'express';

/** The parts of an Express 5 router layer that route listing reads (router 2.x internals). */
interface LayerLike {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: unknown;
}

/**
 * Every route of an Express app as "METHOD /path" (Express-style `:param` paths), including routers mounted under a
 * path. Reads router internals; an empty answer means those changed, and callers should fail on it.
 */
export function listRoutes(app: Express): string[] {
  const root = (app as unknown as { router: { stack: LayerLike[] } }).router;
  return walk(root.stack, '');
}

function walk(stack: LayerLike[], prefix: string): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route && typeof layer.route.path === 'string') {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
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
