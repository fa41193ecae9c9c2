import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from './pool';
import { inTransaction } from './pool';

const MIGRATIONS_DIR = join(__dirname, 'migrations');
const LOCK_ID = 74_211_901; // advisory lock so that api and worker starting together migrate once

/** Applies the numbered `.sql` files in db/migrations that have not been applied yet, each in its own transaction. */
export async function migrate(pool: Pool): Promise<string[]> {
  const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d+_.+\.sql$/.test(f)).sort();
  const applied: string[] = [];
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_ID]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    for (const file of files) {
      if (done.has(file)) continue;
      await client.query(readFileSync(join(MIGRATIONS_DIR, file), 'utf8'));
      await client.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
  });
  return applied;
}

/** Errors that mean "the database is not there yet" (refused, reset, starting up or shutting down). */
const NOT_YET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08001', '08006']);
const isNotYet = (err: unknown) => {
  const e = err as { code?: string; message?: string };
  return (e.code !== undefined && NOT_YET.has(e.code)) || /Connection terminated/.test(e.message ?? '');
};

/**
 * Migrates once the database answers: a process restarted together with PostgreSQL (or while it recovers) waits
 * for it with backoff instead of dying, for at most `timeoutMs`; then the last error is thrown.
 */
export async function migrateWhenReachable(
  pool: Pool, opts: { timeoutMs: number; onWait?: (err: Error) => void; sleep?: (ms: number) => Promise<void> },
): Promise<string[]> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + opts.timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await migrate(pool);
    } catch (err) {
      if (!isNotYet(err) || Date.now() + delay > deadline) throw err;
      opts.onWait?.(err as Error);
      await sleep(delay);
    }
  }
}
