import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX, newRegistry } from './registry';

/** Every metric of the API role. */
export interface ApiMetrics {
  registry: Registry;
  /**
   * Middleware for POST /api/pay: times the unified-order answer, which is the order workflow's start and first
   * answer (update-with-start), labelled with the HTTP status (200 answered, 503 = 999999 not answered in time, …).
   */
  payAnswerTimer: RequestHandler;
  /** A request refused by a rate limit or cap (api/rate-limits.ts): merchant_rps, open_orders, n001_source, bulk_jobs. */
  rateLimited(limit: LimitName): void;
  /** The rate-limit store (PostgreSQL) failed and the process decided alone (in memory) for that request. */
  rateLimitStoreError(limiter: string): void;
  /** A channel callback refused before it verified (unreadable, unknown order, wrong app or signature): not stored. */
  callbackUnverified(channel: string, reason: UnverifiedReason): void;
}

export type LimitName = 'merchant_rps' | 'open_orders' | 'n001_source' | 'bulk_jobs';
/** Bounded reasons (never the sender's text) of an unverified callback. */
export type UnverifiedReason = 'unreadable' | 'unknown_order' | 'unverified';

export function createApiMetrics(): ApiMetrics {
  const registry = newRegistry();
  const payAnswer = new Histogram({
    name: `${METRIC_PREFIX}pay_answer_duration_seconds`,
    help: 'Unified order (POST /api/pay) answer latency: workflow start plus the pay credential, by HTTP status',
    labelNames: ['status'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: `${METRIC_PREFIX}rate_limited_total`,
    help: 'Requests refused by a rate limit or cap, by limit (merchant_rps, open_orders, n001_source, bulk_jobs)',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: `${METRIC_PREFIX}rate_limit_store_errors_total`,
    help: 'Rate-limit decisions taken in memory by this process because the PostgreSQL store failed, by limiter',
    labelNames: ['limiter'] as const,
    registers: [registry],
  });
  const unverified = new Counter({
    name: `${METRIC_PREFIX}channel_callbacks_unverified_total`,
    help: 'Channel callbacks refused before they verified (not stored), by channel and reason',
    labelNames: ['channel', 'reason'] as const,
    registers: [registry],
  });
  return {
    registry,
    rateLimited: (limit) => rateLimited.inc({ limit }),
    rateLimitStoreError: (limiter) => storeErrors.inc({ limiter }),
    callbackUnverified: (channel, reason) => unverified.inc({ channel, reason }),
    payAnswerTimer: (req, res, next) => {
      if (req.method !== 'POST') return next();
      const end = payAnswer.startTimer();
      res.once('finish', () => end({ status: String(res.statusCode) }));
      next();
    },
  };
}
