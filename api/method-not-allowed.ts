import type { Express, Request, RequestHandler, Response, Router } from 'express';
import { allowedMethods, routeTable } from './routes-table';

/**
 * 405 Method Not Allowed with `Allow` for a path the listener serves with other methods (instead of 404), placed
 * after the routes. The route table is read from `owner` on first use, when every route is registered. OPTIONS is
 * answered 204 with `Allow`. `answer` writes the body in the listener's error format.
 */
export function methodNotAllowed(
  owner: Express | Router,
  answer: (req: Request, res: Response, allow: string) => void,
  prefix = '',
): RequestHandler {
  let allowed: ((path: string) => string[]) | undefined;
  return (req, res, next) => {
    allowed ??= allowedMethods(routeTable(owner, prefix));
    const methods = allowed(req.originalUrl.split('?')[0] ?? '/');
    if (methods.length === 0 || methods.includes(req.method)) return next();
    const allow = [...new Set([...methods, 'OPTIONS'])].sort().join(', ');
    res.set('Allow', allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    res.status(405);
    answer(req, res, allow);
  };
}

/** The plain-text 405 of paths outside the JSON interfaces. */
export const plainMethodNotAllowed = (req: Request, res: Response, allow: string): void =>
  void res.type('text/plain').send(`method ${req.method} is not allowed here (Allow: ${allow})`);
