import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Client } from 'pg';
import { msToTs } from '@temporalio/common/lib/time';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';
import { runCapture } from './go-install';
import { freePort } from './paths';
import { spawnServer } from './server-process';
import { resolveTemporalServerTools, type TemporalServerTools } from './temporal-server-binary';
import { QUEUE_READ_RATE_KEYS, QUEUE_READS_PER_SECOND, TIMER_PRECISION, type TemporalServerHandle } from './temporal-server';
import { pollWithConnection, readinessDeadline, waitForPort, waitTemporalReady } from './temporal-readiness';

/**
 * TEMPORAL_MODE=server: the Temporal server itself (frontend, history, matching and worker services in one process)
 * on PostgreSQL, as a production cluster runs it, instead of the CLI's single-shard SQLite dev server.
 */
export interface TemporalPgServerOptions {
  /** The server's own directory: generated config, ports and shard count kept across restarts, its log. */
  rootDir: string;
  /** A PostgreSQL the server may create databases in (the embedded cluster's URL). */
  databaseUrl: string;
  /** Its two databases are `<prefix>` and `<prefix>_visibility` (default `temporal`). */
  databasePrefix?: string;
  historyShards: number;
  port?: number; // frontend gRPC; default: the one used last time in rootDir, else a free port
  namespace?: string; // default 'default'
  /** Build the server with Go when it is neither on PATH nor cached (minutes when cold). Default true. */
  build?: boolean;
  log?: (m: string) => void;
  readinessTimeoutMs?: number; // default 120000
}

const IP = '127.0.0.1';
const PORT_ATTEMPTS = 3;
const NAMESPACE_RETENTION_MS = 7 * 24 * 3600_000;
const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
type Ports = Record<`${(typeof SERVICES)[number]}${'Grpc' | 'Membership'}` | 'frontendHttp', number>;

/** Creates or migrates the databases, writes the config and starts the server; resolves once it is usable. */
export async function startTemporalPgServer(opts: TemporalPgServerOptions): Promise<TemporalServerHandle> {
  const log = opts.log ?? (() => {});
  const tools = await resolveTemporalServerTools({ build: opts.build ?? true, log });
  if (tools === null) {
    throw new Error('TEMPORAL_MODE=server needs the Temporal server: run `npm run temporal:provision -- --server` (builds it with Go), or set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH');
  }
  const rootDir = path.resolve(opts.rootDir);
  fs.mkdirSync(path.join(rootDir, 'config'), { recursive: true });
  checkShards(rootDir, opts.historyShards);
  const db = databaseSettings(opts.databaseUrl, opts.databasePrefix ?? 'temporal');
  await setupSchemas(tools, db, log);
  // A port picked a moment ago can be taken before the server binds it: then pick new ones (the frontend's stays
  // when the caller chose it).
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPorts(tools, rootDir, db, opts, await choosePorts(rootDir, opts.port));
    } catch (err) {
      if (!(err instanceof PortInUseError) || attempt >= PORT_ATTEMPTS) throw err;
      log(`temporal: a port was taken (${(err as Error).message.split('\n')[0]}); retrying on other ones`);
      fs.rmSync(path.join(rootDir, 'ports.json'), { force: true });
    }
  }
}

class PortInUseError extends Error {}

async function startOnPorts(tools: TemporalServerTools, rootDir: string, db: DbSettings, opts: TemporalPgServerOptions, ports: Ports): Promise<TemporalServerHandle> {
  writeConfig(rootDir, db, ports, opts.historyShards);
  const namespace = opts.namespace ?? 'default';
  const address = `${IP}:${ports.frontendGrpc}`;
  const server = spawnServer(tools.server, ['--root', rootDir, '--config', 'config', '--env', 'paydurable', '--allow-no-auth', 'start'], {
    logFile: path.join(rootDir, 'server.log'),
  });
  try {
    const check = readinessDeadline(opts.readinessTimeoutMs ?? 120_000, server.exitReason);
    await waitForPort(address, check);
    await registerNamespaceAndAttributes(address, namespace, check);
    await waitTemporalReady(address, namespace, check);
  } catch (err) {
    await server.stop();
    const message = `Temporal server at ${address} did not become ready: ${(err as Error).message}\n${lastLines(server.outputTail(8))}`;
    const portTaken = /address already in use/i.test(server.outputTail(200));
    throw portTaken ? new PortInUseError(message) : new Error(message);
  }
  opts.log?.(`temporal: server ${address} on PostgreSQL (${db.database}, ${db.visibilityDatabase}; ${opts.historyShards} history shards)`);
  return { address, namespace, uiUrl: null, pid: server.pid, stop: server.stop };
}

/** The server logs JSON lines with long stack traces: keep the start of each for an error message. */
function lastLines(text: string): string {
  return text.split('\n').map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line)).join('\n');
}

interface DbSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  visibilityDatabase: string;
}

function databaseSettings(url: string, prefix: string): DbSettings {
  const u = new URL(url);
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`databasePrefix ${prefix}: lower-case letters, digits and _ only`);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: prefix,
    visibilityDatabase: `${prefix}_visibility`,
  };
}

/**
 * The server's sql tool creates each database, sets up its schema version table on first use and applies the
 * versioned migrations shipped with the server (a no-op when they are current), so a later release migrates in place.
 */
async function setupSchemas(tools: TemporalServerTools, db: DbSettings, log: (m: string) => void): Promise<void> {
  const base = { ...process.env, SQL_PLUGIN: 'postgres12', SQL_HOST: db.host, SQL_PORT: String(db.port), SQL_USER: db.user, SQL_PASSWORD: db.password };
  for (const [database, schema] of [[db.database, 'temporal'], [db.visibilityDatabase, 'visibility']] as const) {
    const env = { ...base, SQL_DATABASE: database };
    const state = await databaseState(db, database);
    if (state === 'missing') {
      log(`temporal: creating database ${database}`);
      await runCapture(tools.sqlTool, ['create-database'], env);
    }
    if (state !== 'versioned') await runCapture(tools.sqlTool, ['setup-schema', '-v', '0.0'], env);
    await runCapture(tools.sqlTool, ['update-schema', '-d', path.join(tools.schemaDir, schema, 'versioned')], env);
  }
}

async function databaseState(db: DbSettings, database: string): Promise<'missing' | 'empty' | 'versioned'> {
  const connect = async (name: string): Promise<Client> => {
    const client = new Client({ host: db.host, port: db.port, user: db.user, password: db.password, database: name });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) return 'missing';
  } finally {
    await admin.end();
  }
  const client = await connect(database);
  try {
    const table = await client.query<{ t: string | null }>(`SELECT to_regclass('schema_version')::text AS t`);
    return table.rows[0]?.t ? 'versioned' : 'empty';
  } finally {
    await client.end();
  }
}

/** The shard count is fixed when the cluster is first set up; a different one later is refused before the start. */
function checkShards(rootDir: string, shards: number): void {
  const file = path.join(rootDir, 'cluster.json');
  const recorded = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { historyShards?: number }).historyShards : undefined;
  if (recorded !== undefined && recorded !== shards) {
    throw new Error(`TEMPORAL_HISTORY_SHARDS=${shards}, but the Temporal cluster in ${rootDir} was set up with ${recorded} shards (set it back, or remove that directory and its databases)`);
  }
  fs.writeFileSync(file, `${JSON.stringify({ historyShards: shards })}\n`);
}

/**
 * Ports of the four services (gRPC and membership each) and the frontend's HTTP API. The ones used last time are
 * reused while free: a restarted server (after kill -9 too) then has the same membership address as the dead one.
 */
async function choosePorts(rootDir: string, frontend: number | undefined): Promise<Ports> {
  const file = path.join(rootDir, 'ports.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Ports>) : {};
  const ports = {} as Ports;
  const keys = [...SERVICES.flatMap((s) => [`${s}Grpc`, `${s}Membership`] as const), 'frontendHttp' as const];
  for (const key of keys) {
    const last = key === 'frontendGrpc' && frontend !== undefined ? frontend : previous[key];
    const reusable = last !== undefined && (key === 'frontendGrpc' && frontend !== undefined ? true : (await canListen(last)));
    // Temporal stores membership ports as a PostgreSQL smallint: those must be below 32768 (ephemeral ones are not).
    ports[key] = reusable ? last : key.endsWith('Membership') ? await freeLowPort() : await freePort();
  }
  fs.writeFileSync(file, `${JSON.stringify(ports)}\n`);
  return ports;
}

const setting = (value: unknown) => [{ value, constraints: {} }];

/** The server's dynamic config; docker-compose.yml gives its Temporal the same (test/unit/temporal-server-config.test.ts). */
export const SERVER_DYNAMIC_CONFIG: Record<string, { value: unknown; constraints: Record<string, never> }[]> = {
  // As the dev server: short timers (polling, notification retries) fire on time, not up to 1 s late.
  'history.timerProcessorMaxTimeShift': setting(TIMER_PRECISION),
  // As the dev server: each shard reads its task queues as often as a workflow task needs, not 20 times a second.
  ...Object.fromEntries(QUEUE_READ_RATE_KEYS.map((key) => [key, setting(QUEUE_READS_PER_SECOND)])),
  // From development-sql.yaml: the settings the project relies on (update-with-start, ids up to 255 characters).
  'frontend.enableExecuteMultiOperation': setting(true),
  'frontend.enableUpdateWorkflowExecution': setting(true),
  'limit.maxIDLength': setting(255),
  'history.hostLevelCacheMaxSize': setting(8192),
};

/** A port below 32768 that was free on 127.0.0.1 a moment ago (random in 20000–32767, so parallel runs rarely meet). */
async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port below 32768 on 127.0.0.1 after 50 tries');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, IP, () => server.close(() => resolve(true)));
  });
}

/** `config/paydurable.yaml` (JSON is YAML) from development-postgres12.yaml, and its dynamic config. */
function writeConfig(rootDir: string, db: DbSettings, ports: Ports, shards: number): void {
  const store = (database: string, maxConns: number) => ({
    sql: {
      pluginName: 'postgres12', databaseName: database, connectAddr: `${db.host}:${db.port}`, connectProtocol: 'tcp',
      user: db.user, password: db.password, maxConns, maxIdleConns: maxConns, maxConnLifetime: '1h',
    },
  });
  const rpc = (s: (typeof SERVICES)[number]) => ({
    rpc: {
      grpcPort: ports[`${s}Grpc`], membershipPort: ports[`${s}Membership`], bindOnLocalHost: true,
      ...(s === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
    },
  });
  const dynamicConfigFile = path.join(rootDir, 'config', 'dynamicconfig.yaml');
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: shards,
      datastores: { 'postgres-default': store(db.database, 20), 'postgres-visibility': store(db.visibilityDatabase, 4) },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: IP } },
    services: Object.fromEntries(SERVICES.map((s) => [s, rpc(s)])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: `${IP}:${ports.frontendGrpc}` } },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
  };
  writeFileAtomic(path.join(rootDir, 'config', 'paydurable.yaml'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileAtomic(dynamicConfigFile, `${JSON.stringify(SERVER_DYNAMIC_CONFIG, null, 2)}\n`);
}

function writeFileAtomic(file: string, text: string): void {
  fs.writeFileSync(`${file}.tmp`, text, { mode: 0o600 }); // it holds the database password
  fs.renameSync(`${file}.tmp`, file);
}

/** Registers the namespace and the project's search attributes where missing (both idempotent). */
async function registerNamespaceAndAttributes(address: string, namespace: string, check: () => void): Promise<void> {
  await pollWithConnection(address, check, async (conn) => {
    try {
      await conn.workflowService.describeNamespace({ namespace });
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
      await conn.workflowService.registerNamespace({
        namespace, workflowExecutionRetentionPeriod: msToTs(NAMESPACE_RETENTION_MS),
      }).catch((e: Error) => {
        if (!/already exists/i.test(e.message)) throw e;
      });
    }
    const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = Object.entries(SEARCH_ATTRIBUTE_DEFINITIONS).filter(([name]) => !customAttributes?.[name]);
    if (missing.length > 0) {
      // INDEXED_VALUE_TYPE_KEYWORD = 2
      await conn.operatorService.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map(([name]) => [name, 2])) });
    }
    return true;
  });
}
