import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startStack, TEST_OPERATOR_TOKEN, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, workflowClosed } from '../support/support-api';
import { repoRoot } from '../../devstack/paths';
import type { TestMerchant as Merchant } from '../support/stack-core';
import type { OrderTimeline } from '../../support/timeline';
import type { JobView } from '../../support/replay-jobs';

// The support CLI as support staff run it: its own process (tsx), against this file's live stack, stdout not a TTY.
let stack: TestStack;
let merchant: Merchant;
let receiver: MerchantReceiver;
let delivered: { orderId: string; mercOrderNo: string };
let exhausted: string;

interface Run { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/support.ts'), ...args], {
      cwd: repoRoot,
      env: { ...process.env, SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATOR_TOKEN, ...env },
      timeout: 60_000,
    }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [100] });
  receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }, { kind: 'answer', body: 'success' }, { kind: 'answer', body: 'fail' }]).start();
  delivered = await paidOrder(stack, merchant, receiver.url);
  await notifyStateOf(stack, delivered.orderId, ['delivered']);
  exhausted = (await paidOrder(stack, merchant, receiver.url)).orderId;
  await notifyStateOf(stack, exhausted, ['exhausted']);
  await workflowClosed(stack, delivered.orderId);
  await workflowClosed(stack, exhausted);
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

describe('support CLI', () => {
  it('show: the timeline as tables, by orderId or merchant order number; --json prints the API answer', async () => {
    const human = await cli(['show', delivered.orderId]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain(`Order ${delivered.orderId}`);
    expect(human.stdout).toMatch(/payStatus\s+p0000/);
    expect(human.stdout).toMatch(/notification\s+delivered after 2 attempt\(s\)/);
    expect(human.stdout).toContain('Timeline (UTC)');
    expect(human.stdout).toMatch(/channel_call\s+sandbox create → CREATED/);
    expect(human.stdout).toMatch(/Notification attempts\n\s+#\s+TIME\s+STATUS\s+RESULT/);
    expect(human.stdout).toMatch(/\n\s+1\s+\S+ \S+\s+p0000\s+failed\s+200/);
    expect(human.stdout).toMatch(/\n\s+2\s+\S+ \S+\s+p0000\s+success\s+200/);
    expect(human.stdout).toContain(`X-Notify-Id: ${delivered.orderId}-p0000`);

    const json = await cli(['show', merchant.mercNo, delivered.mercOrderNo, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const t = JSON.parse(json.stdout) as OrderTimeline;
    expect(t.order).toMatchObject({ orderId: delivered.orderId, notifyState: 'delivered' });
    expect(t.notifications).toHaveLength(2);
  });

  it('exhausted and replay', async () => {
    const list = await cli(['exhausted', '--merc-no', merchant.mercNo]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('1 order(s) with an exhausted notification');
    expect(list.stdout).toContain(exhausted);
    const listJson = JSON.parse((await cli(['exhausted', '--merc-no', merchant.mercNo, '--json'])).stdout) as { total: number };
    expect(listJson.total).toBe(1);

    const replay = await cli(['replay', exhausted, '--json']);
    expect(replay.code, replay.stderr).toBe(0);
    const answer = JSON.parse(replay.stdout) as { path: string; workflowId: string; attempt: number };
    expect(answer).toMatchObject({ path: 'replay-workflow', attempt: 3 });
    await stack.client.workflow.getHandle(answer.workflowId).result();

    const again = await cli(['replay', exhausted]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^replay workflow replay:\S+:4 sends attempt 4 to http/);
    await stack.client.workflow.getHandle(`replay:${exhausted}-p0000:4`).result();
  });

  it('bulk-replay: dry run, then the job with plain progress lines (not a TTY); --json', async () => {
    const args = ['bulk-replay', '--merc-no', merchant.mercNo, '--status', 'p0000'];
    const dry = await cli([...args, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^2 order\(s\) would be replayed; first: /);
    const dryJson = JSON.parse((await cli([...args, '--dry-run', '--json'])).stdout) as { count: number };
    expect(dryJson.count).toBe(2);

    const run = await cli([...args, '--rate', '10']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^job \S+ started: 2 order\(s\) at 10\/s/);
    expect(run.stdout).not.toContain('\r');
    expect(run.stdout).toMatch(/\[#{30}\] 2\/2 \(100%\)\s+done 2\s+failed 0\n/);
    expect(run.stdout).toMatch(/Job \S+: completed, 2 done, 0 failed, 0 pending of 2/);

    // The receiver answered `fail` to both replays: the exhausted notification stays exhausted, and the delivered one
    // stays delivered (a failed replay does not undo the merchant's earlier acknowledgement).
    const json = await cli([...args, '--notify-state', 'exhausted', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const job = JSON.parse(json.stdout) as JobView;
    expect(job).toMatchObject({ state: 'completed', total: 1, done: 1, failed: 0 });
    const still = JSON.parse((await cli(['show', delivered.orderId, '--json'])).stdout) as OrderTimeline;
    expect(still.order).toMatchObject({ notifyState: 'delivered' });
  });

  it('errors: a wrong token, an unknown order, bad usage — message on stderr, exit code 1', async () => {
    const denied = await cli(['show', delivered.orderId], { SUPPORT_TOKEN: 'not-the-admin-token-0000' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('HTTP 401 unauthorized');
    const missing = await cli(['show', '99990101000000000000']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('HTTP 404 not_found');
    const usage = await cli(['redirect', delivered.orderId]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain('redirect <orderId> <url>');
    const closed = await cli(['pause', delivered.orderId]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain('HTTP 409 conflict');
  });

  it('a merchant answer carrying terminal escape sequences is shown escaped, never sent raw to the terminal', async () => {
    const hostileReceiver = await new MerchantReceiver([{ kind: 'answer', body: 'no\u009b2J\u001b]0;owned\u0007' }, { kind: 'answer', body: 'success' }]).start();
    try {
      const order = await paidOrder(stack, merchant, hostileReceiver.url);
      await notifyStateOf(stack, order.orderId, ['delivered']);
      const shown = await cli(['show', order.orderId]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
      expect(shown.stdout).toContain('no\\u009b2J');
    } finally {
      await hostileReceiver.stop();
    }
  });
});
