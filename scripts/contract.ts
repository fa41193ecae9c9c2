import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfrastructure, type Infrastructure } from '../test/support/infrastructure';
import { contractTargets, endFuzzedJobs, runSchemathesis, startContractStack } from '../test/contract/contract-stack';
import { ensureSchemathesis } from '../test/contract/schemathesis';
import type { TestStack } from '../test/support/stack-core';

/**
 * `npm run contract -- [schemathesis run options]`: the contract test's fuzzing at any size, e.g.
 * `npm run contract -- --max-examples 200` or `-- --max-examples 500 --seed 42`. Starts its own PostgreSQL, Temporal
 * dev server, worker and API (as the tests do), fuzzes the merchant listener then the admin listener with every
 * check, prints Schemathesis' output and exits non-zero on any failure. See docs/CONTRACT.md.
 */
const say = (m: string) => console.log(`[contract] ${m}`);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  ensureSchemathesis(say);
  const workDir = mkdtempSync(join(tmpdir(), 'paydurable-contract-'));
  let infra: Infrastructure | undefined;
  let stack: TestStack | undefined;
  try {
    say('starting PostgreSQL, the Temporal dev server, worker and API…');
    infra = await startInfrastructure(workDir, say);
    const started = await startContractStack(infra);
    stack = started.stack;
    const targets = contractTargets(stack, started.merchant);
    let failed = 0;
    for (const target of [targets.merchant, targets.admin]) {
      say(`fuzzing the ${target.name} (${target.url}/openapi.json)`);
      const run = await runSchemathesis(target, args, true);
      if (run.exitCode !== 0) failed++;
    }
    say(failed === 0 ? 'no failures' : `failures on ${failed} listener(s)`);
    return failed === 0 ? 0 : 1;
  } finally {
    if (stack) await endFuzzedJobs(stack, 0);
    await stack?.stop();
    await infra?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
