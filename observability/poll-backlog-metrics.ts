import { Gauge, type Registry } from 'prom-client';
import { oldestDuePollAgeSeconds } from '../db/due-polls';
import type { Pool } from '../db/pool';
import { METRIC_PREFIX } from './registry';

/**
 * The age of the most overdue channel poll, read from the database at scrape time and served by every worker, so it
 * is there whether the worker polls or a poller process does: it grows when nothing polls (the poller process gone,
 * or every worker at WORKER_POLLS=false) or when the pollers fall behind their schedule. NaN when the database
 * cannot be read (the scrape itself still succeeds).
 */
export function registerPollBacklogMetric(registry: Registry, pool: Pool): void {
  new Gauge({
    name: `${METRIC_PREFIX}poll_backlog_seconds`,
    help: 'How long the most overdue channel poll of an open (or watched) order has been due, in seconds; 0 when none is due',
    registers: [registry],
    async collect() {
      this.set(await oldestDuePollAgeSeconds(pool).catch(() => Number.NaN));
    },
  });
}
