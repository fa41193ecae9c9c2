import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SupportError } from '../../../domain/errors';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Admin credentials of the support API: `Authorization: Bearer <token>` with one of ADMIN_TOKENS. Tokens are compared
 * as SHA-256 digests with timingSafeEqual against every configured token (no early exit), so neither the length nor
 * the content of a token leaks through timing. Only ADMIN_TOKENS open it: a merchant's signing key is never accepted.
 * Without configured tokens the support API is off (503 not_configured).
 */
export function adminAuth(tokens: readonly string[]): RequestHandler {
  const accepted = tokens.map(digest);
  return (req, _res, next) => {
    if (accepted.length === 0) {
      return next(new SupportError('not_configured', 'the support API is not configured: set ADMIN_TOKENS (comma-separated bearer tokens)'));
    }
    const header = req.get('authorization');
    if (!header) return next(new SupportError('unauthorized', 'admin credentials required: send "Authorization: Bearer <admin token>"'));
    const match = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
    if (!match) return next(new SupportError('unauthorized', 'the Authorization header must be "Bearer <admin token>"'));
    const presented = digest(match[1]!);
    let ok = false;
    for (const d of accepted) ok = timingSafeEqual(d, presented) || ok;
    if (!ok) return next(new SupportError('unauthorized', 'the admin token is not valid'));
    next();
  };
}
