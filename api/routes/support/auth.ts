import type { RequestHandler, Response } from 'express';
import type { SupportOperator } from '../../../config/support-operators';
import { roleMatcher, type AdminOperator, type OperatorRole } from '../../../config/admin-operators';
import { SupportError } from '../../../domain/errors';

/**
 * Operator credentials of the support and admin APIs: `Authorization: Bearer <token>` with the token of one of the
 * named SUPPORT_OPERATORS (role support) or ADMIN_OPERATORS (role admin, which includes support), compared in
 * constant time (roleMatcher). The matching operator's name becomes the request's actor (`operatorOf`), which every
 * audit record of the action carries. A merchant's signing key never opens it; tokens are never logged.
 *   - `role: 'support'` (the support API): either role; off (503 not_configured) without any operator;
 *   - `role: 'admin'` (the admin API): a support-only operator gets 403 forbidden; off without ADMIN_OPERATORS.
 */
export function operatorAuth(
  operators: { support: readonly SupportOperator[]; admin: readonly AdminOperator[] }, role: OperatorRole = 'support',
): RequestHandler {
  const operatorOfToken = roleMatcher(operators.support, operators.admin);
  const configured = role === 'admin' ? operators.admin.length > 0 : operators.support.length + operators.admin.length > 0;
  const api = role === 'admin' ? 'admin' : 'support';
  return (req, res, next) => {
    if (!configured) {
      return next(new SupportError('not_configured', role === 'admin'
        ? 'the admin API is not configured: set ADMIN_OPERATORS (name:token or name:sha256:<hex>, one per operator)'
        : 'the support API is not configured: set SUPPORT_OPERATORS (name:token, one per operator)'));
    }
    const header = req.get('authorization');
    if (!header) return next(new SupportError('unauthorized', `operator credentials required: send "Authorization: Bearer <your operator token>"`));
    const match = /^Bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
    if (!match) return next(new SupportError('unauthorized', 'the Authorization header must be "Bearer <your operator token>"'));
    const operator = operatorOfToken(match[1]!);
    if (operator === undefined) return next(new SupportError('unauthorized', 'the token is not an operator\'s token'));
    if (role === 'admin' && operator.role !== 'admin') {
      return next(new SupportError('forbidden', `operator ${operator.name} may not use the ${api} API: it needs an admin operator (ADMIN_OPERATORS)`));
    }
    res.locals.operator = operator.name;
    next();
  };
}

/** The authenticated operator of a support or admin request (set by operatorAuth, which runs before every such route). */
export function operatorOf(res: Response): string {
  const name = res.locals.operator as unknown;
  if (typeof name !== 'string') throw new Error('support route reached without an authenticated operator');
  return name;
}
