import type { Request, Response } from 'express';
import { findMerchantWithKeys, type Merchant } from '../db/merchants';
import type { MerchantKey } from '../db/merchant-keys';
import type { Pool } from '../db/pool';
import { ApiError } from '../domain/errors';
import { mercNoProblem } from '../domain/merchant-no';
import type { Mode } from '../domain/mode';
import { parseSignatureHeader, rawSignatureMatches, SIGNATURE_HEADER, TOLERANCE_SECONDS } from '../domain/raw-signature';
import { RAW_SIGN_TYPE, SIGN_TYPES, verifySignature, type FieldSignType, type SignType } from '../domain/signing';
import type { Keyring } from '../secrets/keyring';
import { acceptOnce } from '../db/signature-replays';
import type { ApiContext } from './context';
import { MERCHANT_BURST_WINDOW_S } from './rate-limits';

export interface AuthenticatedRequest {
  merchant: Merchant;
  /** The key that verified the request: its mode is the request's mode, and the answer is signed with it. */
  key: MerchantKey;
  mode: Mode;
  signType: SignType;
  fields: Record<string, string>;
}

export interface AuthDeps {
  pool: Pool;
  keyring: Keyring;
  now: () => number;
}

export const authDeps = (ctx: ApiContext): AuthDeps => ({ pool: ctx.pool, keyring: ctx.config.secrets.keyring, now: ctx.now });

/**
 * Authenticates a merchant request: a flat JSON object of strings from a known, active merchant, signed with one of
 * the merchant's keys that verify now, in a sign type the merchant has enabled. Two forms:
 *   - raw body (HMAC-SHA256-RAW): the Paydurable-Signature header over the exact bytes, within 5 minutes of its
 *     timestamp, accepted once;
 *   - fields (MD5 legacy, HMAC-SHA256): the body's `signType` and `signature`.
 * Every key is tried, each in constant time; the one that verifies decides live or test mode.
 */
export async function authenticate(deps: AuthDeps, req: Request, res: Response): Promise<AuthenticatedRequest> {
  const body = req.body as unknown;
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
  const nowMs = deps.now();
  const merchant = await findMerchantWithKeys(deps.pool, deps.keyring, mercNo, nowMs);
  if (!merchant || merchant.status !== 'active') throw new ApiError('100003', `mercNo ${merchant ? 'is disabled' : 'is unknown'}`, 'mercNo');

  const header = req.get(SIGNATURE_HEADER);
  const signType = header !== undefined ? RAW_SIGN_TYPE : fields.signType;
  if (header !== undefined && fields.signType !== undefined && fields.signType !== RAW_SIGN_TYPE) {
    throw ApiError.invalidField('signType', `must be ${RAW_SIGN_TYPE} or absent with the ${SIGNATURE_HEADER} header`);
  }
  if (!signType) throw ApiError.invalidField('signType', `is required (or sign the raw body in the ${SIGNATURE_HEADER} header)`);
  if (signType === RAW_SIGN_TYPE && header === undefined) {
    throw new ApiError('100002', `${RAW_SIGN_TYPE} is signed in the ${SIGNATURE_HEADER} header`, 'signature');
  }
  if (signType !== RAW_SIGN_TYPE && !(SIGN_TYPES as readonly string[]).includes(signType)) {
    throw ApiError.invalidField('signType', `must be one of ${[...SIGN_TYPES, RAW_SIGN_TYPE].join(', ')}`);
  }
  if (!(merchant.signTypes as string[]).includes(signType)) {
    throw ApiError.invalidField('signType', `${signType} is not enabled for this merchant (enabled: ${merchant.signTypes.join(', ') || 'none'})`);
  }

  let key: MerchantKey | undefined;
  if (header !== undefined) {
    if (fields.signature !== undefined) throw ApiError.invalidField('signature', `must be absent: the ${SIGNATURE_HEADER} header signs the request`);
    const parsed = parseSignatureHeader(header);
    if (typeof parsed === 'string') throw new ApiError('100002', parsed, 'signature');
    if (Math.abs(nowMs / 1000 - parsed.t) > TOLERANCE_SECONDS) {
      throw new ApiError('100002', `${SIGNATURE_HEADER} t is more than ${TOLERANCE_SECONDS} s from now: sign each request when it is sent`, 'signature');
    }
    const raw = res.locals.rawBody as Buffer | undefined;
    if (!raw) throw new ApiError('100002', 'the raw body is not available to verify', 'signature');
    let matched: string | null = null;
    for (const k of merchant.keys) {
      const m = rawSignatureMatches(k.secret, parsed, raw);
      if (m && !key) {
        key = k;
        matched = m;
      }
    }
    if (!key || !matched) throw new ApiError('100002', 'signature does not match', 'signature');
    if (!(await acceptOnce(deps.pool, mercNo, matched, (parsed.t + TOLERANCE_SECONDS) * 1000))) {
      throw new ApiError('100002', 'this signed request was already accepted: sign every request anew', 'signature');
    }
  } else {
    const signature = fields.signature;
    if (!signature) throw new ApiError('100002', 'signature is required', 'signature');
    for (const k of merchant.keys) {
      if (verifySignature(fields, k.secret, signType as FieldSignType, signature) && !key) key = k;
    }
    if (!key) throw new ApiError('100002', 'signature does not match', 'signature');
  }
  const { keys: _keys, ...plain } = merchant;
  return { merchant: plain, key, mode: key.mode, signType: signType as SignType, fields };
}

/**
 * The entry of every merchant interface: authenticates the request, keeps the merchant for the answer (every error
 * from here on is signed), then counts the request against the merchant's rate limit: over it, 100009 (HTTP 429)
 * with `Retry-After`. The limit is the merchant's own (merchants.rate_limit_rps / rate_limit_burst, admin API) where set,
 * else RATE_LIMIT_MERCHANT_RPS + RATE_LIMIT_MERCHANT_BURST.
 */
export async function authenticateMerchantRequest(ctx: ApiContext, req: Request, res: Response): Promise<AuthenticatedRequest> {
  const auth = await authenticate(authDeps(ctx), req, res);
  res.locals.auth = auth;
  const m = auth.merchant;
  const own = m.rateLimitRps !== null || m.rateLimitBurst !== null
    ? { perSecond: m.rateLimitRps ?? ctx.config.limits.merchantRps, burst: m.rateLimitBurst ?? ctx.config.limits.merchantBurst }
    : undefined;
  const limit = await ctx.limits.merchantRequests.consume(m.mercNo, own);
  if (!limit.ok) {
    ctx.metrics.rateLimited('merchant_rps');
    const { perSecond: merchantRps, burst: merchantBurst } = own ?? { perSecond: ctx.config.limits.merchantRps, burst: ctx.config.limits.merchantBurst };
    const burst = merchantBurst > 0 ? ` (plus ${merchantBurst} per ${MERCHANT_BURST_WINDOW_S} s in bursts)` : '';
    throw ApiError.tooManyRequests(
      `request rate limit: at most ${merchantRps} requests per second per merchant${burst}; send it again after ${limit.retryAfterSeconds} s`,
      limit.retryAfterSeconds,
    );
  }
  return auth;
}
