import type { DevstackConfig } from '../config/devstack';
import { startTemporalPgServer } from './temporal-pg-server';
import { startTemporalServer, type TemporalServerHandle } from './temporal-server';

export interface LocalTemporalOptions {
  /** Dev mode: the SQLite file (omit = in memory). */
  dbFile?: string;
  /** Server mode: the server's directory (config, ports, log) and the PostgreSQL it keeps its databases in. */
  serverDir: string;
  databaseUrl: () => Promise<string>;
  /** Server mode: its databases are `<prefix>` and `<prefix>_visibility` (default `temporal`). */
  databasePrefix?: string;
  port?: number;
  /** Dev mode only (the server has no Web UI of its own). */
  uiPort?: number | null;
  log?: (m: string) => void;
  readinessTimeoutMs?: number;
}

/**
 * The Temporal of the local stack, as TEMPORAL_MODE says: the CLI's dev server (SQLite, one shard, Web UI) or the
 * Temporal server on PostgreSQL with TEMPORAL_HISTORY_SHARDS shards. `databaseUrl` is awaited only in server mode,
 * so the dev server and PostgreSQL start side by side.
 */
export async function startLocalTemporal(cfg: DevstackConfig, opts: LocalTemporalOptions): Promise<TemporalServerHandle> {
  if (cfg.temporalMode === 'dev') {
    return startTemporalServer({
      dbFile: opts.dbFile, port: opts.port, uiPort: opts.uiPort ?? null, log: opts.log, readinessTimeoutMs: opts.readinessTimeoutMs,
    });
  }
  return startTemporalPgServer({
    rootDir: opts.serverDir,
    databaseUrl: await opts.databaseUrl(),
    databasePrefix: opts.databasePrefix,
    historyShards: cfg.historyShards,
    port: opts.port,
    log: opts.log,
    readinessTimeoutMs: opts.readinessTimeoutMs,
  });
}

/** One line for logs and reports: which Temporal runs. */
export function describeTemporalMode(cfg: DevstackConfig): string {
  return cfg.temporalMode === 'dev'
    ? 'dev server (temporal server start-dev: SQLite, 1 history shard)'
    : `Temporal server on PostgreSQL (${cfg.historyShards} history shards)`;
}
