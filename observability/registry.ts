import { collectDefaultMetrics, Registry } from 'prom-client';

/** Prefix of every metric this system defines (default process metrics keep their standard names). */
export const METRIC_PREFIX = 'paydurable_';

/**
 * A registry of its own per process role (and per instance, so tests can run an API and a worker in one process),
 * with the default process metrics (CPU, memory, event loop lag, GC, handles) collected at scrape time.
 */
export function newRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
