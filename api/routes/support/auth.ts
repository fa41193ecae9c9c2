import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { SupportOperator } from '../../../config/support-operators';
import { SupportError } from '../../../domain/errors';

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Operator credentials of the support API: `Authorization: Bearer <token>` with the token of one of the named
 * SUPPORT_OPERATORS. The presented token and every operator's token are compared as SHA-256 digests with
 * timingSafeEqual, against every operator (no early exit), so neither the length nor the content of a token leaks
 * through timing. The matching operator's name becomes the request's actor (`operatorOf`), which every audit
 * record of the action carries. A merchant's signing key never opens it; tokens are never logged.
 * Without operators the support API is off (503 not_configured).
 */
export function operatorAuth(operators: readonly SupportOperator[]): RequestHandler {
  const accepted = operators.map((o) => ({ name: o.name, digest: digest(o.token) }));
  return (req, res, next) => {
    if (accepted.length === 0) {
      return next(new SupportError('not_configured', 'the support API is not configured: set SUPPORT_OPERATORS (name:token, one per operator)'));
    }
    const header = req.get('authorization');
    if (!header) return next(new SupportError('unauthorized', 'operator credentials required: send "Authorization: Bearer <your operator token>"'));
    const match = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
    if (!match) return next(new SupportError('unauthorized', 'the Authorization header must be "Bearer <your operator token>"'));
    const presented = digest(match[1]!);
    let operator: string | undefined;
    for (const a of accepted) {
      const equal = timingSafeEqual(a.digest, presented);
      if (equal && operator === undefined) operator = a.name;
    }
    if (operator === undefined) return next(new SupportError('unauthorized', 'the token is not an operator\'s token'));
    res.locals.operator = operator;
    next();
  };
}

/** The authenticated operator of a support request (set by operatorAuth, which runs before every support route). */
export function operatorOf(res: Response): string {
  const name = res.locals.operator as unknown;
  if (typeof name !== 'string') throw new Error('support route reached without an authenticated operator');
  return name;
}
