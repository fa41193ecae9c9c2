import type { RequestHandler, Response } from 'express';
import { operatorMatcher, type SupportOperator } from '../../../config/support-operators';
import { SupportError } from '../../../domain/errors';

/**
 * Operator credentials of the support API: `Authorization: Bearer <token>` with the token of one of the named
 * SUPPORT_OPERATORS, compared in constant time (operatorMatcher). The matching operator's name becomes the request's actor (`operatorOf`), which every audit
 * record of the action carries. A merchant's signing key never opens it; tokens are never logged.
 * Without operators the support API is off (503 not_configured).
 */
export function operatorAuth(operators: readonly SupportOperator[]): RequestHandler {
  const operatorOfToken = operatorMatcher(operators);
  return (req, res, next) => {
    if (operators.length === 0) {
      return next(new SupportError('not_configured', 'the support API is not configured: set SUPPORT_OPERATORS (name:token, one per operator)'));
    }
    const header = req.get('authorization');
    if (!header) return next(new SupportError('unauthorized', 'operator credentials required: send "Authorization: Bearer <your operator token>"'));
    const match = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
    if (!match) return next(new SupportError('unauthorized', 'the Authorization header must be "Bearer <your operator token>"'));
    const operator = operatorOfToken(match[1]!);
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
