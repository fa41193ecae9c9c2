import { readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createPool } from '../db/pool';

export interface DiskUse {
  /** Temporal's persistence: the dev server's SQLite file with its -wal and -shm, or the server mode's databases. */
  temporalBytes: number;
  /** Our database (pg_database_size: tables and indexes, not the shared WAL). */
  postgresBytes: number;
}

/**
 * Disk used by Temporal and by our PostgreSQL database now. `temporalDbFile` is the dev server's SQLite file; null in
 * server mode, where Temporal's `temporal` and `temporal_visibility` databases live in the same PostgreSQL.
 */
export async function measureDisk(databaseUrl: string, temporalDbFile: string | null): Promise<DiskUse> {
  const pool = createPool(databaseUrl, 1);
  try {
    const sizes = await pool.query<{ datname: string; bytes: string }>(
      `SELECT datname, pg_database_size(datname)::text AS bytes FROM pg_database
        WHERE datname = current_database() OR datname IN ('temporal', 'temporal_visibility')`,
    );
    const ours = await pool.query<{ datname: string }>('SELECT current_database() AS datname');
    const byName = new Map(sizes.rows.map((r) => [r.datname, Number.parseInt(r.bytes, 10)]));
    const postgresBytes = byName.get(ours.rows[0]!.datname) ?? 0;
    const temporalBytes = temporalDbFile !== null
      ? sqliteBytes(temporalDbFile)
      : (byName.get('temporal') ?? 0) + (byName.get('temporal_visibility') ?? 0);
    return { temporalBytes, postgresBytes };
  } finally {
    await pool.end();
  }
}

function sqliteBytes(file: string): number {
  const name = basename(file);
  const dir = dirname(file);
  let sum = 0;
  for (const f of readdirSync(dir)) {
    if (f === name || f === `${name}-wal` || f === `${name}-shm`) sum += statSync(join(dir, f)).size;
  }
  return sum;
}
