import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { exe, findGo, findOnPath, goInstallIntoCache, isExecutable, runCapture, type Log } from './go-install';
import { toolsDir } from './paths';

/** The Temporal server release built from the Go module proxy (no replace directives, so `go install` works). */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';

const MODULE = 'go.temporal.io/server';
const serverDir = path.join(toolsDir, 'temporal-server', TEMPORAL_SERVER_VERSION);
/** The names the official images use for the two binaries (also what we look for on PATH). */
const SERVER_EXE = 'temporal-server';
const SQL_TOOL_EXE = 'temporal-sql-tool';
/** PostgreSQL schemas copied out of the module at build time, so that a cached build needs no Go afterwards. */
const SCHEMA_SUBDIR = path.join('schema', 'postgresql', 'v12');

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
  /** `<dir>/temporal/versioned` and `<dir>/visibility/versioned`: the server's PostgreSQL schema migrations. */
  schemaDir: string;
}

export const cachedServerTools: TemporalServerTools = {
  server: path.join(serverDir, exe(SERVER_EXE)),
  sqlTool: path.join(serverDir, exe(SQL_TOOL_EXE)),
  schemaDir: path.join(serverDir, SCHEMA_SUBDIR),
};

/**
 * Finds the Temporal server and its SQL tool: env TEMPORAL_SERVER_PATH + TEMPORAL_SQL_TOOL_PATH → `temporal-server`
 * and `temporal-sql-tool` on PATH → tools cache (`.tools/temporal-server/v1.29.1/`) → build with Go (only when
 * `build` is true: a cold build takes several minutes). Returns null when none is available.
 * The schema files come from TEMPORAL_SERVER_SCHEMA_DIR, the cache, or the module in GOMODCACHE.
 */
export async function resolveTemporalServerTools(opts: { build: boolean; log?: Log }): Promise<TemporalServerTools | null> {
  const log = opts.log ?? (() => {});
  const found = await findBinaries();
  if (found) return { ...found, schemaDir: await resolveSchemaDir() };

  const go = await findGo();
  if (!opts.build || !go) {
    log(`temporal server: not on PATH and not cached${go ? '' : ', and no Go toolchain to build it'} (npm run temporal:provision -- --server)`);
    return null;
  }
  await goInstallIntoCache(go, {
    what: 'temporal server',
    version: TEMPORAL_SERVER_VERSION,
    binaries: [
      { pkg: `${MODULE}/cmd/server`, built: 'server', cached: SERVER_EXE },
      { pkg: `${MODULE}/cmd/tools/sql`, built: 'sql', cached: SQL_TOOL_EXE },
    ],
    cacheDir: serverDir,
    afterBuild: async (goBin) => {
      const target = cachedServerTools.schemaDir;
      await fs.rm(target, { recursive: true, force: true });
      await fs.cp(path.join(await moduleDir(goBin), SCHEMA_SUBDIR), target, { recursive: true });
      await makeWritable(target); // the module cache is read-only; the copy must stay removable
    },
  }, log);
  return cachedServerTools;
}

/** Whether the server and its SQL tool can be found without building (env, PATH or cache): a synchronous check. */
export function serverToolsPresent(): boolean {
  const executable = (file: string | undefined): boolean => {
    if (!file) return false;
    try {
      fsSync.accessSync(file, fsSync.constants.X_OK);
      return fsSync.statSync(file).isFile();
    } catch {
      return false;
    }
  };
  const onPath = (name: string): boolean => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && executable(path.join(dir, name)));
  if (process.env.TEMPORAL_SERVER_PATH || process.env.TEMPORAL_SQL_TOOL_PATH) {
    return executable(process.env.TEMPORAL_SERVER_PATH) && executable(process.env.TEMPORAL_SQL_TOOL_PATH);
  }
  return (onPath(exe(SERVER_EXE)) && onPath(exe(SQL_TOOL_EXE))) || (executable(cachedServerTools.server) && executable(cachedServerTools.sqlTool));
}

async function findBinaries(): Promise<{ server: string; sqlTool: string } | null> {
  const server = process.env.TEMPORAL_SERVER_PATH;
  const sqlTool = process.env.TEMPORAL_SQL_TOOL_PATH;
  if (server || sqlTool) {
    for (const [name, file] of [['TEMPORAL_SERVER_PATH', server], ['TEMPORAL_SQL_TOOL_PATH', sqlTool]] as const) {
      if (!file) throw new Error(`${name} is required together with ${name === 'TEMPORAL_SERVER_PATH' ? 'TEMPORAL_SQL_TOOL_PATH' : 'TEMPORAL_SERVER_PATH'}`);
      if (!(await isExecutable(path.resolve(file)))) throw new Error(`${name}=${file} does not point to an executable file`);
    }
    return { server: path.resolve(server!), sqlTool: path.resolve(sqlTool!) };
  }
  const onPath = { server: await findOnPath(exe(SERVER_EXE)), sqlTool: await findOnPath(exe(SQL_TOOL_EXE)) };
  if (onPath.server && onPath.sqlTool) return { server: onPath.server, sqlTool: onPath.sqlTool };
  if ((await isExecutable(cachedServerTools.server)) && (await isExecutable(cachedServerTools.sqlTool))) {
    return { server: cachedServerTools.server, sqlTool: cachedServerTools.sqlTool };
  }
  return null;
}

async function resolveSchemaDir(): Promise<string> {
  const fromEnv = process.env.TEMPORAL_SERVER_SCHEMA_DIR;
  if (fromEnv) return path.resolve(fromEnv);
  if (await exists(path.join(cachedServerTools.schemaDir, 'temporal', 'versioned'))) return cachedServerTools.schemaDir;
  const go = await findGo();
  if (!go) throw new Error(`temporal server: no schema files; set TEMPORAL_SERVER_SCHEMA_DIR to the module's ${SCHEMA_SUBDIR}`);
  return path.join(await moduleDir(go), SCHEMA_SUBDIR);
}

/** The server module's directory in GOMODCACHE (downloaded from the proxy when missing). */
async function moduleDir(go: string): Promise<string> {
  const out = await runCapture(go, ['mod', 'download', '-json', `${MODULE}@${TEMPORAL_SERVER_VERSION}`]);
  const dir = (JSON.parse(out) as { Dir?: string }).Dir;
  if (!dir) throw new Error(`go mod download did not report a directory for ${MODULE}@${TEMPORAL_SERVER_VERSION}`);
  return dir;
}

async function makeWritable(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await makeWritable(file);
    else await fs.chmod(file, 0o644);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}
