import { BurstyRateLimiter, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import type { ApiMetrics } from '../observability/api-metrics';

/** The table of db/migrations/011_rate_limits.sql (the library's layout; it never creates it itself). */
export const RATE_LIMIT_TABLE = 'rate_limits';
/** The window of a merchant's burst allowance (RATE_LIMIT_MERCHANT_BURST requests per this many seconds). */
export const MERCHANT_BURST_WINDOW_S = 10;
/** A failing store is logged at most once per this interval per limiter (a flood must not become a log flood). */
const STORE_WARNING_INTERVAL_MS = 60_000;

export type LimitVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** One limiter: counts a request of `key` and says whether it is within the limit. Never rejects. */
export interface KeyLimiter {
  consume(key: string): Promise<LimitVerdict>;
}

/** A merchant's own request-rate limit (merchants.rate_limit_rps / rate_limit_burst, set by the admin API). */
export interface MerchantRate {
  perSecond: number;
  burst: number;
}

/** Distinct per-merchant rates this process keeps limiters for; beyond them, the platform's numbers apply (logged). */
const MAX_MERCHANT_RATES = 256;

/** The request-rate limits of the API process (the caps on open orders and bulk jobs are counted in their tables). */
export interface RateLimits {
  /**
   * Merchant interfaces, keyed by the authenticated mercNo: RATE_LIMIT_MERCHANT_RPS (+ burst), or the merchant's own
   * rate when it has one (`own`).
   */
  merchantRequests: { consume(mercNo: string, own?: MerchantRate): Promise<LimitVerdict> };
  /** IPayNow N001 endpoint, keyed by the source address: RATE_LIMIT_N001_RPS. */
  n001Sources: KeyLimiter;
}

interface LimiterSpec {
  /** Prefix of the keys in rate_limits, and the name in logs and metrics (unless `label`). */
  name: string;
  /** The name in logs and metrics when it differs from the key prefix (per-merchant rates: 'merchant'). */
  label?: string;
  /** Requests per second; 0 = no limit. */
  perSecond: number;
  /** Extra requests per MERCHANT_BURST_WINDOW_S once the per-second budget is used up. */
  burst?: number;
}

/**
 * Builds the limits over the API's PostgreSQL pool, so that every API replica counts against the same budget
 * (rate-limiter-flexible's RateLimiterPostgres: one row per key and fixed window, one upsert per request). Once a
 * key has used up its window, this process refuses it from memory until the window ends (inMemoryBlockOnConsumed),
 * so a flood does not become a flood of writes.
 *
 * Store failures fail open, never into an error answer: the request is decided by a per-process in-memory limiter
 * with the same numbers (so each replica still limits on its own), counted in
 * paydurable_rate_limit_store_errors_total and logged as a warning at most once a minute per limiter.
 */
export function createRateLimits(deps: { config: AppConfig; pool: Pool; log: Logger; metrics: ApiMetrics }): RateLimits {
  const { limits } = deps.config;
  const platform = keyLimiter(deps, { name: 'merchant', perSecond: limits.merchantRps, burst: limits.merchantBurst });
  // One limiter per distinct merchant rate (its own key prefix in rate_limits, so budgets of different rates never mix).
  const byRate = new Map<string, KeyLimiter>();
  const limiterOf = (own: MerchantRate | undefined): KeyLimiter => {
    if (!own || (own.perSecond === limits.merchantRps && own.burst === limits.merchantBurst)) return platform;
    const id = `merchant-${own.perSecond}-${own.burst}`;
    let limiter = byRate.get(id);
    if (!limiter) {
      if (byRate.size >= MAX_MERCHANT_RATES) {
        deps.log.warn({ rates: byRate.size }, 'too many distinct per-merchant request rates: the platform rate applies to the others');
        return platform;
      }
      limiter = keyLimiter(deps, { name: id, label: 'merchant', perSecond: own.perSecond, burst: own.burst });
      byRate.set(id, limiter);
    }
    return limiter;
  };
  return {
    merchantRequests: { consume: (mercNo, own) => limiterOf(own).consume(mercNo) },
    n001Sources: keyLimiter(deps, { name: 'n001', perSecond: limits.n001Rps }),
  };
}

/** A limiter with a fixed window, or such a limiter with a burst allowance behind it. */
type Consumer = Pick<RateLimiterAbstract, 'consume'>;
type WindowOptions = { keyPrefix: string; points: number; duration: number };

function keyLimiter(deps: { pool: Pool; log: Logger; metrics: ApiMetrics }, spec: LimiterSpec): KeyLimiter {
  if (spec.perSecond === 0) return { consume: async () => ({ ok: true }) };
  const burst = spec.burst ?? 0;
  const windows = (make: (o: WindowOptions) => RateLimiterAbstract): Consumer => {
    const main = make({ keyPrefix: spec.name, points: spec.perSecond, duration: 1 });
    if (burst === 0) return main;
    return new BurstyRateLimiter(main, make({ keyPrefix: `${spec.name}-burst`, points: burst, duration: MERCHANT_BURST_WINDOW_S }));
  };
  const store = windows((o) => new RateLimiterPostgres({
    ...o,
    storeClient: deps.pool,
    storeType: 'pool',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true, // db/migrations/011_rate_limits.sql
    inMemoryBlockOnConsumed: o.points,
  }));
  const fallback = windows((o) => new RateLimiterMemory(o));
  let lastWarningAt = 0;

  const verdict = (res: unknown): LimitVerdict | null =>
    res instanceof RateLimiterRes ? { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) } : null;

  return {
    async consume(key) {
      try {
        await store.consume(key);
        return { ok: true };
      } catch (err) {
        const refused = verdict(err);
        if (refused) return refused;
        deps.metrics.rateLimitStoreError(spec.label ?? spec.name);
        if (Date.now() - lastWarningAt > STORE_WARNING_INTERVAL_MS) {
          lastWarningAt = Date.now();
          deps.log.warn({ limiter: spec.label ?? spec.name, err: (err as Error)?.message }, 'rate-limit store failed: limiting in this process only');
        }
      }
      try {
        await fallback.consume(key);
        return { ok: true };
      } catch (err) {
        return verdict(err) ?? { ok: true };
      }
    },
  };
}
