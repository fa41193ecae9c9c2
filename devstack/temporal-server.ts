import fs from 'node:fs';
import path from 'node:path';
import { SA, SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';
import { freePort } from './paths';
import { spawnServer } from './server-process';
import { resolveTemporalBinary } from './temporal-binary';
import { readinessDeadline, waitTemporalReady } from './temporal-readiness';

export interface TemporalServerHandle {
  address: string;
  namespace: string;
  uiUrl: string | null;
  /** OS process id of the server when we started a CLI binary (null for the SDK's ephemeral server). */
  pid: number | null;
  stop(): Promise<void>;
}

export interface TemporalServerOptions {
  dbFile?: string; // SQLite file (persisted); omit => in-memory
  port?: number; // default: a free port
  uiPort?: number | null; // null/omitted => --headless; number => Web UI there
  namespace?: string; // default 'default'
  log?: (m: string) => void;
  readinessTimeoutMs?: number; // default 60000
}

const IP = '127.0.0.1';
const PORT_ATTEMPTS = 3;

/** Starts `temporal server start-dev` (or, without a CLI binary, the SDK's downloaded dev server). */
export async function startTemporalServer(opts: TemporalServerOptions = {}): Promise<TemporalServerHandle> {
  const log = opts.log ?? (() => {});
  const bin = await resolveTemporalBinary(log);
  if (bin === null) return startWithSdkDownload(opts, log);
  if (opts.dbFile) fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });

  // A port from freePort() can be taken by someone else before the server binds it: retry with a new one.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startCli(bin, port, opts);
    } catch (err) {
      if (!(err instanceof PortInUseError) || opts.port !== undefined || attempt >= PORT_ATTEMPTS) throw err;
      log(`temporal: port ${port} was taken, retrying on another one`);
    }
  }
}

/**
 * The history service batches timers by up to 1 s by default; short timers (polling, notification retries at test
 * scale) then all fire about a second late. 10 ms keeps them close to their schedule (server mode sets it too).
 */
export const TIMER_PRECISION = '10ms';
/**
 * How often one history shard may read each of its task queues (transfer, timer, visibility) from persistence. The
 * server's default is 20 reads/s per shard, sized for clusters of hundreds of shards. The dev server has one shard, so
 * the default left every workflow task waiting for the shard's next read: measured, the first workflow task of an
 * order waited 16–23 ms (p50) between scheduled and started at concurrency 1, about 3 ms with this value (docs/BENCHMARKS.md,
 * "Task-queue reads per shard"). Only the read rate changes: nothing about what is written or when it is synced.
 */
export const QUEUE_READS_PER_SECOND = 200;
/** The dynamic-config keys QUEUE_READS_PER_SECOND sets (the server's per-shard read limits). */
export const QUEUE_READ_RATE_KEYS = ['transfer', 'timer', 'visibility'].map((q) => `history.${q}ProcessorMaxPollRPS`);
/** Passed to both the CLI we spawn and the SDK fallback. */
const TUNING_ARGS = [
  '--sqlite-pragma', 'journal_mode=WAL',
  '--dynamic-config-value', `history.timerProcessorMaxTimeShift="${TIMER_PRECISION}"`,
  ...QUEUE_READ_RATE_KEYS.flatMap((key) => ['--dynamic-config-value', `${key}=${QUEUE_READS_PER_SECOND}`]),
];

/** The exact `start-dev` arguments (exported for docs/tests). */
export function startDevArgs(port: number, opts: TemporalServerOptions): string[] {
  const uiPort = opts.uiPort ?? null;
  return [
    'server', 'start-dev',
    '--ip', IP,
    '--port', String(port),
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(opts.dbFile ? ['--db-filename', path.resolve(opts.dbFile)] : []),
    '--namespace', opts.namespace ?? 'default',
    '--log-level', 'warn',
    ...TUNING_ARGS,
    // Re-registering attributes that a persisted DB already has is accepted by the CLI.
    ...Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
  ];
}

class PortInUseError extends Error {}

async function startCli(bin: string, port: number, opts: TemporalServerOptions): Promise<TemporalServerHandle> {
  const namespace = opts.namespace ?? 'default';
  const address = `${IP}:${port}`;
  const server = spawnServer(bin, startDevArgs(port, opts));
  try {
    await waitTemporalReady(address, namespace, readinessDeadline(opts.readinessTimeoutMs ?? 60_000, server.exitReason));
  } catch (err) {
    await server.stop();
    const message = `Temporal dev server at ${address} did not become ready: ${(err as Error).message}\n${server.outputTail(40)}`;
    throw /address already in use/i.test(server.outputTail(200)) ? new PortInUseError(message) : new Error(message);
  }
  return { address, namespace, uiUrl: opts.uiPort == null ? null : `http://${IP}:${opts.uiPort}`, pid: server.pid, stop: server.stop };
}

/** Fallback when no CLI binary exists: the SDK downloads one (needs internet) and runs it. */
async function startWithSdkDownload(opts: TemporalServerOptions, log: (m: string) => void): Promise<TemporalServerHandle> {
  log('temporal: no CLI binary; falling back to the SDK download (needs internet)');
  // Loaded lazily: @temporalio/testing is a dev dependency.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const namespace = opts.namespace ?? 'default';
  const uiPort = opts.uiPort ?? null;
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'cached-download' },
      ip: IP,
      port: opts.port ?? (await freePort()),
      namespace,
      ui: uiPort !== null,
      uiPort: uiPort ?? undefined,
      dbFilename: opts.dbFile ? path.resolve(opts.dbFile) : undefined,
      searchAttributes: Object.values(SA),
      extraArgs: TUNING_ARGS,
    },
  }).catch((err: unknown) => {
    throw new Error(
      'No Temporal CLI binary (set TEMPORAL_CLI_PATH, put `temporal` on PATH, or install Go to build it) ' +
        `and the SDK's download failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  return {
    address: env.address,
    namespace,
    uiUrl: uiPort === null ? null : `http://${IP}:${uiPort}`,
    pid: null,
    stop: () => env.teardown(),
  };
}
