import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SA, SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';
import { freePort } from './paths';
import { killWhenParentDies } from './process';
import { resolveTemporalBinary } from './temporal-binary';

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
const POLL_MS = 200;
const STOP_GRACE_MS = 10_000;
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

/** Passed to both the CLI we spawn and the SDK fallback. */
const TUNING_ARGS = [
  '--sqlite-pragma', 'journal_mode=WAL',
  // The history service batches timers by up to 1 s by default; short timers (polling, notification retries at
  // test scale) then all fire about a second late. 10 ms keeps them close to their schedule.
  '--dynamic-config-value', 'history.timerProcessorMaxTimeShift="10ms"',
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
  const output = new RingBuffer(200);
  const child = spawn(bin, startDevArgs(port, opts), { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (c: Buffer) => output.push(c));
  child.stderr?.on('data', (c: Buffer) => output.push(c));
  trackChild(child);
  if (child.pid !== undefined) killWhenParentDies(child.pid, 'SIGTERM');

  let exitReason: string | null = null;
  const exited = new Promise<void>((resolve) => {
    const done = (reason: string): void => {
      exitReason ??= reason;
      untrackChild(child);
      resolve();
    };
    child.once('exit', (code, signal) => done(`exited with ${signal ?? code}`));
    child.once('error', (err) => done(`failed to spawn: ${err.message}`));
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitReason !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
    })();
    return stopping;
  };

  try {
    await waitReady(address, namespace, opts.readinessTimeoutMs ?? 60_000, () => exitReason);
  } catch (err) {
    await stop();
    const message = `Temporal dev server at ${address} did not become ready: ${(err as Error).message}\n${output.text(40)}`;
    throw /address already in use/i.test(output.text(200)) ? new PortInUseError(message) : new Error(message);
  }
  return { address, namespace, uiUrl: opts.uiPort == null ? null : `http://${IP}:${opts.uiPort}`, pid: child.pid ?? null, stop };
}

/** Ready = the port accepts, the namespace is described and all custom search attributes are listed. */
async function waitReady(address: string, namespace: string, timeoutMs: number, exitReason: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const check = (): void => {
    const reason = exitReason();
    if (reason !== null) throw new Error(`process ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
  };
  const [host = IP, portText = ''] = address.split(':');
  while (!(await tcpAccepts(host, Number(portText)))) {
    check();
    await sleep(POLL_MS);
  }

  const wanted = Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS);
  let connection: Connection | null = null;
  let lastProblem = 'no answer yet';
  try {
    for (;;) {
      check();
      try {
        connection ??= await connectOrClose(address);
        const conn = connection;
        const { customAttributes } = await conn.withDeadline(Date.now() + 2000, async () => {
          await conn.workflowService.describeNamespace({ namespace });
          return conn.operatorService.listSearchAttributes({ namespace });
        });
        const missing = wanted.filter((name) => !customAttributes?.[name]);
        if (missing.length === 0) return;
        lastProblem = `search attributes not visible yet: ${missing.join(', ')}`;
      } catch (err) {
        lastProblem = (err as Error).message;
      }
      if (Date.now() + POLL_MS > deadline) throw new Error(`timed out after ${timeoutMs} ms (${lastProblem})`);
      await sleep(POLL_MS);
    }
  } finally {
    await connection?.close();
  }
}

/** Like `Connection.connect`, but closes the gRPC channel on failure (connect() leaks it, keeping Node alive). */
async function connectOrClose(address: string): Promise<Connection> {
  const connection = Connection.lazy({ address, connectTimeout: 2000 });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
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

// --- child cleanup: never leak a server when the parent exits ------------------------------------------------

const liveChildren = new Set<ChildProcess>();
let hooksInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles this signal (graceful shutdown): they exit later and the 'exit' hook cleans up.
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal); // re-raise with the default behaviour (terminate)
    };
    process.on(signal, onSignal);
  }
}

function untrackChild(child: ChildProcess): void {
  liveChildren.delete(child);
}

function killAll(): void {
  // SIGTERM lets the server flush its SQLite file; it finishes on its own after we are gone.
  for (const child of liveChildren) child.kill('SIGTERM');
}

// --- helpers ----------------------------------------------------------------------------------------------------

/** Keeps the last `maxLines` lines of a child's output for error messages. */
class RingBuffer {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly maxLines: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }
  text(lastLines = 40): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-lastLines).join('\n');
  }
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
