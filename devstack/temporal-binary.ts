import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { toolsDir } from './paths';
import { isAlive } from './process';

/** Newest CLI that can still be `go install`ed (v1.6+ has a replace directive in go.mod). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const EXE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const cliDir = path.join(toolsDir, 'temporal-cli');

/** Where a Go-built CLI is cached: `<repo>/.tools/temporal-cli/v1.5.1/temporal`. */
export const cachedTemporalBinary: string = path.join(cliDir, TEMPORAL_CLI_VERSION, EXE);

type Log = (m: string) => void;

/**
 * Finds a Temporal CLI binary: env TEMPORAL_CLI_PATH → `temporal` on PATH → tools cache → build with Go.
 * Returns null when none is available (the caller may then fall back to the SDK's download).
 */
export async function resolveTemporalBinary(log: Log = () => {}): Promise<string | null> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    const resolved = path.resolve(fromEnv);
    if (!(await isExecutable(resolved))) {
      throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} does not point to an executable file`);
    }
    return resolved;
  }

  const onPath = await findOnPath(EXE);
  if (onPath && (await runsVersion(onPath))) return onPath;

  if (await isExecutable(cachedTemporalBinary)) return cachedTemporalBinary;

  const go = await findOnPath(process.platform === 'win32' ? 'go.exe' : 'go');
  if (!go) {
    log('temporal CLI: not on PATH, not cached, and no Go toolchain to build it');
    return null;
  }
  try {
    return await buildWithGo(go, log);
  } catch (err) {
    log(`temporal CLI: Go build failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

async function buildWithGo(go: string, log: Log): Promise<string> {
  await fs.mkdir(cliDir, { recursive: true });
  const release = await acquireLock(path.join(cliDir, `${TEMPORAL_CLI_VERSION}.lock`), log);
  try {
    // Another process may have finished the build while we waited for the lock.
    if (await isExecutable(cachedTemporalBinary)) return cachedTemporalBinary;
    await removeLeftoverBuildDirs();

    // Build into a private GOBIN, then rename: the cache path only ever holds a complete binary.
    const gobin = await fs.mkdtemp(path.join(cliDir, 'build-'));
    try {
      log(`temporal CLI: building ${GO_PACKAGE}@${TEMPORAL_CLI_VERSION} with ${go} (a cold build takes minutes)…`);
      const started = Date.now();
      await runGoInstall(go, gobin, log);
      await fs.mkdir(path.dirname(cachedTemporalBinary), { recursive: true });
      await fs.rename(path.join(gobin, EXE), cachedTemporalBinary);
      log(`temporal CLI: built in ${Math.round((Date.now() - started) / 1000)} s → ${cachedTemporalBinary}`);
      return cachedTemporalBinary;
    } finally {
      await fs.rm(gobin, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

function runGoInstall(go: string, gobin: string, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', `${GO_PACKAGE}@${TEMPORAL_CLI_VERSION}`], {
      cwd: gobin, // outside any go.mod / go.work
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: gobin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const started = Date.now();
    const heartbeat = setInterval(() => {
      log(`temporal CLI: still building (${Math.round((Date.now() - started) / 1000)} s)…`);
    }, 30_000);
    child.once('error', (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`go install exited with ${code ?? signal}:\n${output.trim()}`));
    });
  });
}

/** Exclusive lock file holding our pid; a lock whose pid is gone is considered stale and taken over. */
async function acquireLock(lockPath: string, log: Log): Promise<() => Promise<void>> {
  const deadline = Date.now() + 30 * 60_000;
  let announced = false;
  for (;;) {
    try {
      const handle = await fs.open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        const owner = await fs.readFile(lockPath, 'utf8').catch(() => '');
        if (owner === String(process.pid)) await fs.rm(lockPath, { force: true });
      };
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw err;
    }
    const owner = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for build lock ${lockPath}`);
    if (!announced) {
      log(`temporal CLI: another process (pid ${owner}) is building it; waiting…`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function removeLeftoverBuildDirs(): Promise<void> {
  for (const entry of await fs.readdir(cliDir)) {
    if (entry.startsWith('build-')) await fs.rm(path.join(cliDir, entry), { recursive: true, force: true });
  }
}

async function findOnPath(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

function runsVersion(bin: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(bin, ['--version'], { timeout: 15_000 }, (err) => resolve(err === null));
  });
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}


function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
