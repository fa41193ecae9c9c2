import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startStack, TEST_OPERATOR_TOKEN, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { paidSandboxOrder } from '../support/refunds';
import { repoRoot } from '../../devstack/paths';

// The merchant CLI's refund and the support CLI's show, each in its own process (tsx), against a live stack.
let stack: TestStack;
let merchant: TestMerchant;

function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  stack = await startStack({ POLL_SCHEDULE: '1h' });
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

describe('refunds at the command line', () => {
  it('merchant refund asks for a refund and follows it to r0000; support show lists it and its steps in the timeline', async () => {
    const { mercOrderNo, orderId } = await paidSandboxOrder(stack, merchant, '2.00');
    const merchantEnv = { MERC_NO: merchant.mercNo, MERC_KEY: merchant.signKey, API_URL: stack.api.url };
    const refunded = await run('cli/merchant.ts', ['refund', mercOrderNo, '--amount', '0.40', '--refund-no', `CLI${Date.now()}`, '--reason', 'cli'], merchantEnv);
    expect(refunded.code, refunded.stderr + refunded.stdout).toBe(0);
    expect(refunded.stdout).toMatch(/respCode 000000 .*answer signature verified/);
    expect(refunded.stdout).toMatch(/refundStatus\s+r0000/);

    const query = await run('cli/merchant.ts', ['query', mercOrderNo], merchantEnv);
    expect(query.stdout).toMatch(/refundedAmt\s+0\.40/);
    expect(query.stdout).toMatch(/refund\s+CLI\d+ 0\.40 r0000/);

    const shown = await run('cli/support.ts', ['show', orderId], { SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATOR_TOKEN });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Refunds (refunded 0.40)');
    expect(shown.stdout).toMatch(/\d{32}\s+CLI\d+\s+0\.40\s+r0000/);
    expect(shown.stdout).toMatch(/event\s+refund_processing r0001→r0002/);
    expect(shown.stdout).toMatch(/event\s+refund_success r0002→r0000/);
    expect(shown.stdout).toMatch(/channel_call\s+sandbox refund → SUCCESS/);
  });
});
