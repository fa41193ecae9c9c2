import path from 'node:path';
import { exe, findGo, findOnPath, goInstallIntoCache, isExecutable, runsOk, type Log } from './go-install';
import { toolsDir } from './paths';

/** Newest CLI that can still be `go install`ed (v1.6+ has a replace directive in go.mod). */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const cliDir = path.join(toolsDir, 'temporal-cli', TEMPORAL_CLI_VERSION);

/** Where a Go-built CLI is cached: `<repo>/.tools/temporal-cli/v1.5.1/temporal`. */
export const cachedTemporalBinary: string = path.join(cliDir, exe('temporal'));

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

  const onPath = await findOnPath(exe('temporal'));
  if (onPath && (await runsOk(onPath, ['--version']))) return onPath;

  if (await isExecutable(cachedTemporalBinary)) return cachedTemporalBinary;

  const go = await findGo();
  if (!go) {
    log('temporal CLI: not on PATH, not cached, and no Go toolchain to build it');
    return null;
  }
  try {
    await goInstallIntoCache(go, {
      what: 'temporal CLI',
      version: TEMPORAL_CLI_VERSION,
      binaries: [{ pkg: GO_PACKAGE, built: 'temporal', cached: 'temporal' }],
      cacheDir: cliDir,
    }, log);
    return cachedTemporalBinary;
  } catch (err) {
    log(`temporal CLI: Go build failed: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
