import type { Request, Response } from 'express';
import type { ApiContext } from './context';
import { findMerchant, type Merchant } from '../db/merchants';
import type { Pool } from '../db/pool';
import { ApiError } from '../domain/errors';
import { mercNoProblem } from '../domain/merchant-no';
import { SIGN_TYPES, verifySignature, type SignType } from '../domain/signing';
import { MERCHANT_BURST_WINDOW_S } from './rate-limits';

export interface AuthenticatedRequest {
  merchant: Merchant;
  signType: SignType;
  fields: Record<string, string>;
}

/**
 * Authenticates a merchant request: a flat JSON object of strings, a known and active merchant, a supported
 * signType and a signature that verifies (constant-time) with the merchant's key.
 */
export async function authenticate(pool: Pool, body: unknown): Promise<AuthenticatedRequest> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.invalidField('request', 'body must be a JSON object');
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string') throw ApiError.invalidField(k, 'must be a string');
    fields[k] = v;
  }
  const mercNo = fields.mercNo;
  if (!mercNo) throw ApiError.invalidField('mercNo', 'is required');
  const problem = mercNoProblem(mercNo);
  if (problem) throw ApiError.invalidField('mercNo', problem);
  const merchant = await findMerchant(pool, mercNo);
  if (!merchant || merchant.status !== 'active') throw new ApiError('100003', `mercNo ${merchant ? 'is disabled' : 'is unknown'}`, 'mercNo');

  const signType = fields.signType;
  if (!signType) throw ApiError.invalidField('signType', 'is required');
  if (!(SIGN_TYPES as readonly string[]).includes(signType)) {
    throw ApiError.invalidField('signType', `must be one of ${SIGN_TYPES.join(', ')}`);
  }
  const signature = fields.signature;
  if (!signature) throw new ApiError('100002', 'signature is required', 'signature');
  if (!verifySignature(fields, merchant.signKey, signType as SignType, signature)) {
    throw new ApiError('100002', 'signature does not match', 'signature');
  }
  return { merchant, signType: signType as SignType, fields };
}

/**
 * The entry of every merchant interface: authenticates the request, keeps the merchant for the answer (every error
 * from here on is signed), then counts the request against the merchant's rate limit: over it, 100009 (HTTP 429)
 * with `Retry-After`.
 */
export async function authenticateMerchantRequest(ctx: ApiContext, req: Request, res: Response): Promise<AuthenticatedRequest> {
  const auth = await authenticate(ctx.pool, req.body);
  res.locals.auth = auth;
  const limit = await ctx.limits.merchantRequests.consume(auth.merchant.mercNo);
  if (!limit.ok) {
    ctx.metrics.rateLimited('merchant_rps');
    const { merchantRps, merchantBurst } = ctx.config.limits;
    const burst = merchantBurst > 0 ? ` (plus ${merchantBurst} per ${MERCHANT_BURST_WINDOW_S} s in bursts)` : '';
    throw ApiError.tooManyRequests(
      `request rate limit: at most ${merchantRps} requests per second per merchant${burst}; send it again after ${limit.retryAfterSeconds} s`,
      limit.retryAfterSeconds,
    );
  }
  return auth;
}
