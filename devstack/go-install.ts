import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './process';

export type Log = (m: string) => void;

/** One binary of a `go install`: the package path and the name the cache keeps it under. */
export interface GoBinary {
  pkg: string; // e.g. go.temporal.io/server/cmd/server
  built: string; // the name go install gives it (last path element)
  cached: string; // the file name in the cache dir
}

export interface GoInstallJob {
  what: string; // for log lines, e.g. "temporal CLI"
  version: string; // module version, e.g. v1.29.1
  binaries: GoBinary[];
  /** Where the complete set ends up: `<cacheDir>/<binary.cached>` (the dir is created). */
  cacheDir: string;
  /** Runs after the binaries were built, before they are moved into place (e.g. copy files out of the module). */
  afterBuild?: (go: string) => Promise<void>;
}

/**
 * Builds the binaries with `CGO_ENABLED=0 go install pkg@version …` from the Go module proxy into the tools cache,
 * under an exclusive lock file (several processes may ask at once). The cache only ever holds complete binaries:
 * they are built into a private GOBIN and renamed into place, the last one marking the set complete.
 */
export async function goInstallIntoCache(go: string, job: GoInstallJob, log: Log): Promise<void> {
  const parent = path.dirname(job.cacheDir);
  await fs.mkdir(parent, { recursive: true });
  const release = await acquireLock(path.join(parent, `${path.basename(job.cacheDir)}.lock`), job.what, log);
  try {
    if (await allExecutable(job.cacheDir, job.binaries)) return; // another process built it while we waited
    await removeLeftoverBuildDirs(parent);
    const gobin = await fs.mkdtemp(path.join(parent, 'build-'));
    try {
      const packages = job.binaries.map((b) => `${b.pkg}@${job.version}`);
      log(`${job.what}: building ${packages.join(' ')} with ${go} (a cold build takes minutes)…`);
      const started = Date.now();
      await runGoInstall(go, packages, gobin, job.what, log);
      await fs.mkdir(job.cacheDir, { recursive: true });
      await job.afterBuild?.(go);
      for (const b of job.binaries) await fs.rename(path.join(gobin, exe(b.built)), path.join(job.cacheDir, exe(b.cached)));
      log(`${job.what}: built in ${Math.round((Date.now() - started) / 1000)} s → ${job.cacheDir}`);
    } finally {
      await fs.rm(gobin, { recursive: true, force: true });
    }
  } finally {
    await release();
  }
}

function runGoInstall(go: string, packages: string[], gobin: string, what: string, log: Log): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', ...packages], {
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
      log(`${what}: still building (${Math.round((Date.now() - started) / 1000)} s)…`);
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
async function acquireLock(lockPath: string, what: string, log: Log): Promise<() => Promise<void>> {
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
      log(`${what}: another process (pid ${owner}) is building it; waiting…`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function removeLeftoverBuildDirs(parent: string): Promise<void> {
  for (const entry of await fs.readdir(parent)) {
    if (entry.startsWith('build-')) await fs.rm(path.join(parent, entry), { recursive: true, force: true });
  }
}

async function allExecutable(dir: string, binaries: GoBinary[]): Promise<boolean> {
  for (const b of binaries) if (!(await isExecutable(path.join(dir, exe(b.cached))))) return false;
  return true;
}

/** The platform's executable name (`.exe` on Windows). */
export function exe(name: string): string {
  return process.platform === 'win32' ? `${name}.exe` : name;
}

export async function findOnPath(name: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

/** The Go toolchain on PATH, or null. */
export function findGo(): Promise<string | null> {
  return findOnPath(exe('go'));
}

/** True when `bin <args>` exits 0 within 15 s. */
export function runsOk(bin: string, args: string[]): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: 15_000 }, (err) => resolve(err === null));
  });
}

/** `bin <args>` → stdout; rejects with the output on a non-zero exit. */
export function runCapture(bin: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024, env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${err.message}\n${String(stderr).trim().slice(-2000)}`));
      else resolve(String(stdout));
    });
  });
}

export async function isExecutable(file: string): Promise<boolean> {
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
