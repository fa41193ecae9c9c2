import { Gauge, type Registry } from 'prom-client';
import type { Pool } from '../db/pool';
import { METRIC_PREFIX } from './registry';

/**
 * PostgreSQL connections of each named pool of a process, read at scrape time: in use (lent to a query or a
 * transaction), idle, and callers waiting for one. A pool whose `waiting` stays above zero is the bottleneck of
 * whatever it serves (the worker keeps the poller's pool apart from the order path's for that reason).
 */
export function registerPoolMetrics(registry: Registry, pools: Readonly<Record<string, Pool>>): void {
  new Gauge({
    name: `${METRIC_PREFIX}pg_pool_clients`,
    help: 'PostgreSQL pool clients by pool and state: in_use, idle, waiting (callers queued for a connection)',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, state: 'in_use' }, pool.totalCount - pool.idleCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
}
