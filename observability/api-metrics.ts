import type { RequestHandler } from 'express';
import { Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX, newRegistry } from './registry';

/** Every metric of the API role. */
export interface ApiMetrics {
  registry: Registry;
  /**
   * Middleware for POST /api/pay: times the unified-order answer, which is the order workflow's start and first
   * answer (update-with-start), labelled with the HTTP status (200 answered, 503 = 999999 not answered in time, …).
   */
  payAnswerTimer: RequestHandler;
}

export function createApiMetrics(): ApiMetrics {
  const registry = newRegistry();
  const payAnswer = new Histogram({
    name: `${METRIC_PREFIX}pay_answer_duration_seconds`,
    help: 'Unified order (POST /api/pay) answer latency: workflow start plus the pay credential, by HTTP status',
    labelNames: ['status'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers: [registry],
  });
  return {
    registry,
    payAnswerTimer: (req, res, next) => {
      if (req.method !== 'POST') return next();
      const end = payAnswer.startTimer();
      res.once('finish', () => end({ status: String(res.statusCode) }));
      next();
    },
  };
}
