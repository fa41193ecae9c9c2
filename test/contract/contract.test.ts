import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalSetupBase, type TestMerchant, type TestStack } from '../support/stack';
import { contractTargets, endFuzzedJobs, runSchemathesis, startContractStack } from './contract-stack';
import { ensureSchemathesis } from './schemathesis';

// Issue 15: the OpenAPI documents are the contract. Schemathesis (PyPI, in .venv/) generates valid and invalid
// requests from each listener's own /openapi.json and runs every check against the real stack: no 5xx, only
// documented statuses, content types and answer schemas, invalid requests refused, valid ones accepted, 405 with
// Allow for undeclared methods. The merchant API is fuzzed with signed requests (test/contract/python). A larger
// run: `npm run contract -- --max-examples 200` (docs/CONTRACT.md).
const MAX_EXAMPLES = process.env.CONTRACT_MAX_EXAMPLES ?? '25';
const RUN_TIMEOUT_MS = 300_000;

let stack: TestStack;
let merchant: TestMerchant;
const startedAtMs = Date.now();

beforeAll(async () => {
  ensureSchemathesis((m) => process.stderr.write(`[contract] ${m}\n`)); // a fresh machine: venv + pinned install
  ({ stack, merchant } = await startContractStack(globalSetupBase()));
}, 600_000);
afterAll(async () => {
  if (stack) await endFuzzedJobs(stack, startedAtMs);
  await stack?.stop();
});

const failureReport = (output: string) => output.slice(output.indexOf('FAILURES') >= 0 ? output.indexOf('FAILURES') - 40 : -4000);

describe('contract: Schemathesis with every check finds nothing', () => {
  it('merchant listener (merchant API signed by the test merchant, channel callbacks, sandbox, operations)', async () => {
    const run = await runSchemathesis(contractTargets(stack, merchant).merchant, ['--max-examples', MAX_EXAMPLES]);
    expect(run.exitCode, failureReport(run.output)).toBe(0);
    expect(run.output).toMatch(/Operations:\s+(\d+) selected \/ \1 total/);
    expect(run.output).not.toMatch(/\b0 selected/);
    // The signing hook got generated requests past the signature check: schema-valid unified orders became orders.
    const orders = await stack.pool.query('SELECT count(*)::int AS n FROM orders WHERE merc_no = $1', [merchant.mercNo]);
    expect(orders.rows[0].n).toBeGreaterThan(0);
  }, RUN_TIMEOUT_MS);

  it('admin listener (support API with an operator token, operations)', async () => {
    const run = await runSchemathesis(contractTargets(stack, merchant).admin, ['--max-examples', MAX_EXAMPLES]);
    expect(run.exitCode, failureReport(run.output)).toBe(0);
    expect(run.output).toMatch(/Operations:\s+(\d+) selected \/ \1 total/);
  }, RUN_TIMEOUT_MS);

  it('leaves no bulk replay job of the fuzzer running (they would count against MAX_CONCURRENT_BULK_JOBS for later tests)', async () => {
    await endFuzzedJobs(stack, startedAtMs);
    const running = await stack.pool.query("SELECT count(*)::int AS n FROM support_jobs WHERE state = 'running'");
    expect(running.rows[0].n).toBe(0);
  });
});
