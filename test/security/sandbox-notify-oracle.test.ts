import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, testMerchant, type TestStack } from '../support/stack';
import { repoRoot } from '../../devstack/paths';
import { findOrderByMercOrderNo } from '../../db/orders';
import { sign } from '../../domain/signing';
import type { TestMerchant as Merchant } from '../support/stack-core';

// Finding: POST /sandbox/merchant/notify answered whether a signature verified with a merchant's key, to anyone (a
// signature oracle). The platform has no merchant stand-in endpoint; the merchant CLI brings its own receiver.
let stack: TestStack;
let merchant: Merchant;
beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

interface Run { code: number; stdout: string; stderr: string }

function merchantCli(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/merchant.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, MERC_NO: merchant.mercNo, MERC_KEY: merchant.signKey, API_URL: stack.api.url, IPAYNOW_EMULATOR_URL: '' },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('no signature oracle on the platform', () => {
  it('/sandbox/merchant/notify does not exist: 404 for a correctly signed, a wrongly signed and an empty request', async () => {
    const fields = { mercNo: merchant.mercNo, mercOrderNo: 'X1', orderId: '1', payStatus: 'p0000', signType: 'MD5' };
    const bodies = [{ ...fields, signature: sign(fields, merchant.signKey, 'MD5') }, { ...fields, signature: 'A'.repeat(32) }, {}];
    for (const body of bodies) {
      const res = await fetch(`${stack.api.url}/sandbox/merchant/notify`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
      });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toMatch(/success|fail|signature/i);
    }
    expect((await fetch(`${stack.api.url}/sandbox/merchant/notify`)).status).toBe(404);
    expect((await fetch(`${stack.api.adminUrl}/sandbox/merchant/notify`, { method: 'POST' })).status).toBe(404);
  });

  it('the merchant CLI demo is notified at a receiver of its own, which verifies the signature', async () => {
    const run = await merchantCli(['demo']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const receiverUrl = /notifications to this demo's receiver, (http:\/\/127\.0\.0\.1:\d+\/notify)/.exec(run.stdout)?.[1];
    expect(receiverUrl, run.stdout).toBeTruthy();
    expect(run.stdout).toMatch(/p0000 .*signature verified, answered success/);
    expect(run.stdout).toContain('Done: paid and the merchant was notified.');
    const mercOrderNo = /mercOrderNo\s+(\S+)/.exec(run.stdout)![1]!;
    const order = await findOrderByMercOrderNo(stack.pool, merchant.mercNo, mercOrderNo);
    expect(order).toMatchObject({ notifyUrl: receiverUrl, payStatus: 'p0000', notifyState: 'delivered' });
  });

  it('`pay` needs --notify-url (the platform offers no default endpoint)', async () => {
    const run = await merchantCli(['pay']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pay needs --notify-url');
  });
});
