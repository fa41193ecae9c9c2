import { statSync } from 'node:fs';
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
    const { rows } = await pool.query<{ ours: boolean; bytes: string }>(
      `SELECT datname = current_database() AS ours, pg_database_size(datname)::text AS bytes FROM pg_database
        WHERE datname = current_database() OR datname IN ('temporal', 'temporal_visibility')`,
    );
    const sum = (ours: boolean) => rows.filter((r) => r.ours === ours).reduce((n, r) => n + Number.parseInt(r.bytes, 10), 0);
    return { temporalBytes: temporalDbFile !== null ? sqliteBytes(temporalDbFile) : sum(false), postgresBytes: sum(true) };
  } finally {
    await pool.end();
  }
}

/** The SQLite file with its -wal and -shm beside it (each counted when present). */
function sqliteBytes(file: string): number {
  return [file, `${file}-wal`, `${file}-shm`].reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
}
