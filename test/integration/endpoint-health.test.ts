import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, supportCall, type SupportErrorAnswer } from '../support/support-api';
import { listEvents } from '../../db/orders';
import { listEndpointEvents } from '../../db/notify-endpoints';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../devstack/paths';
import { TEST_OPERATORS } from '../support/stack';
import { launchChromium, PHONE } from '../support/browser';

// Endpoint health on the real stack: a merchant endpoint failing continuously for NOTIFY_ENDPOINT_PAUSE_AFTER (1.5 s
// here; 72h by default) is paused; notifications to it are held (not sent, no attempt used) by their workflows until
// support resumes it; then each affected order gets its latest state delivered once.
const STEP_MS = 300;
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ NOTIFY_ENDPOINT_PAUSE_AFTER: '1500ms' });
});
afterAll(async () => {
  await stack?.stop();
});

const holdOf = async (orderId: string) =>
  (await stack.pool.query('SELECT 1 FROM notify_endpoint_holds WHERE order_id = $1', [orderId])).rowCount === 1;
const endpoints = (query = '') => supportCall<{ endpoints: Record<string, unknown>[] }>(stack.api.adminUrl, 'GET', `/support/v1/notify-endpoints${query}`);
const pausesMetric = async () => {
  const text = await stack.worker!.metrics.registry.metrics();
  return Number(/^paydurable_notify_endpoint_pauses_total (\d+)/m.exec(text)?.[1] ?? NaN);
};

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/support.ts'), ...args], {
      cwd: repoRoot, timeout: 60_000,
      env: { ...process.env, SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATORS['ops-alice'] },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('endpoint health', () => {
  it('pauses an endpoint failing past the limit, holds its notifications, and on resume delivers each order\'s latest state once', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS, STEP_MS, STEP_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
    const pausesBefore = await pausesMetric();
    try {
      // A exhausts its schedule (4 failed attempts in ~0.9 s) before the endpoint has failed for 1.5 s.
      const a = await paidOrder(stack, merchant, receiver.url);
      await notifyStateOf(stack, a.orderId, ['exhausted']);
      // B keeps failing past 1.5 s: the endpoint is paused by one of B's attempts (or A's last); B's next one is held.
      const b = await paidOrder(stack, merchant, receiver.url);
      await eventually(() => holdOf(b.orderId), 20_000, 'B held by the paused endpoint');
      await notifyStateOf(stack, b.orderId, ['paused']); // recorded by the activity right after the hold
      const events = await listEndpointEvents(stack.pool, { mercNo: merchant.mercNo, url: receiver.url });
      expect(events.map((e) => [e.type, e.actor])).toEqual([['paused', null]]);
      expect(events[0]!.detail).toMatchObject({ pauseAfterMs: 1500, lastError: 'answer was not "success"' });
      expect(await pausesMetric()).toBe(pausesBefore + 1);

      // C, placed while paused, is held at its first attempt: nothing is sent.
      const c = await paidOrder(stack, merchant, receiver.url);
      await eventually(() => holdOf(c.orderId), 20_000, 'C held');
      expect(receiver.forOrder(c.orderId)).toHaveLength(0);
      // B was sent 0 to 3 attempts before the pause (0 when A's last attempt, on a slow machine, already paused it).
      const sentToB = receiver.forOrder(b.orderId).length;
      expect(sentToB).toBeLessThanOrEqual(3);
      const listed = await endpoints(`?mercNo=${merchant.mercNo}`);
      expect(listed.body.endpoints).toEqual([expect.objectContaining({ url: receiver.url, state: 'paused', heldNotifications: 2 })]);

      // The merchant fixes the endpoint; support resumes it.
      receiver.answerWith([{ kind: 'answer', body: 'success' }]);
      const resumed = await supportCall<Record<string, unknown>>(stack.api.adminUrl, 'POST', '/support/v1/notify-endpoints/resume', {
        body: { mercNo: merchant.mercNo, url: receiver.url },
      });
      expect(resumed.status).toBe(200);
      expect(resumed.body).toMatchObject({ released: [b.orderId, c.orderId], replayed: [a.orderId], failed: [], actor: 'ops-alice' });
      for (const o of [a, b, c]) await notifyStateOf(stack, o.orderId, ['delivered']);

      // Each order: exactly one delivery after the resume, with its latest state; held attempts used no number.
      expect(receiver.forOrder(a.orderId)).toHaveLength(5);
      expect(receiver.forOrder(b.orderId)).toHaveLength(sentToB + 1);
      expect(receiver.forOrder(c.orderId)).toHaveLength(1);
      for (const o of [a, b, c]) {
        const last = receiver.forOrder(o.orderId).at(-1);
        expect(last!.body.payStatus).toBe('p0000');
        expect(last!.headers['x-notify-attempt']).toBe(String(receiver.forOrder(o.orderId).length));
      }
      expect((await listEndpointEvents(stack.pool, { mercNo: merchant.mercNo, url: receiver.url })).map((e) => [e.type, e.actor]))
        .toEqual([['paused', null], ['resumed', 'ops-alice']]);
      expect((await listEvents(stack.pool, b.orderId)).find((e) => e.type === 'support_endpoint-resume')?.actor).toBe('ops-alice');
      expect((await listEvents(stack.pool, a.orderId)).find((e) => e.type === 'support_replay')?.actor).toBe('ops-alice');
      expect((await endpoints(`?mercNo=${merchant.mercNo}`)).body.endpoints).toEqual([]);
      expect((await endpoints(`?mercNo=${merchant.mercNo}&state=all`)).body.endpoints).toEqual([
        expect.objectContaining({ state: 'healthy', heldNotifications: 0, pausedAt: null }),
      ]);

      const again = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/notify-endpoints/resume', {
        body: { mercNo: merchant.mercNo, url: receiver.url },
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('conflict');
    } finally {
      await receiver.stop();
    }
  });

  it('support sees a paused endpoint with the CLI and resumes it from the console on a phone', async () => {
    const merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS, STEP_MS, STEP_MS, STEP_MS, STEP_MS, STEP_MS, STEP_MS, STEP_MS] });
    const receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
    const browser = await launchChromium();
    try {
      const o = await paidOrder(stack, merchant, receiver.url);
      await eventually(() => holdOf(o.orderId), 20_000, 'the order held by the paused endpoint');
      const listed = await cli(['endpoints', '--merc-no', merchant.mercNo]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(receiver.url);
      expect(listed.stdout).toMatch(/paused/);

      receiver.answerWith([{ kind: 'answer', body: 'success' }]);
      const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
      const page = await ctx.newPage();
      await page.goto(`${stack.api.adminUrl}/console/login`);
      await page.fill('#token', TEST_OPERATORS['ops-bob']);
      await page.click('button[type=submit]');
      await page.waitForURL(`${stack.api.adminUrl}/console`);
      await page.click('nav a[href="/console/endpoints"]');
      const item = page.locator('li.endpoint', { hasText: merchant.mercNo });
      expect(await item.textContent()).toContain('1 notification(s) held');
      const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
        '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      await item.locator('button').click();
      expect(await page.textContent('.notice.ok')).toBe(`Resumed ${receiver.url}: 1 held notification(s) released, 0 replayed.`);
      await notifyStateOf(stack, o.orderId, ['delivered']);
      expect(receiver.forOrder(o.orderId).filter((r) => r.headers['x-notify-attempt'] === String(receiver.forOrder(o.orderId).length))).toHaveLength(1);
      expect((await listEndpointEvents(stack.pool, { mercNo: merchant.mercNo, url: receiver.url })).map((e) => [e.type, e.actor]))
        .toEqual([['paused', null], ['resumed', 'ops-bob']]);
      const after = await cli(['endpoints', '--merc-no', merchant.mercNo, '--all', '--json']);
      expect(JSON.parse(after.stdout).endpoints).toEqual([expect.objectContaining({ state: 'healthy', heldNotifications: 0 })]);
      expect((await cli(['resume-endpoint', merchant.mercNo, receiver.url])).code).toBe(1); // not paused any more
    } finally {
      await browser.close();
      await receiver.stop();
    }
  });

  it('answers 404 for an endpoint it has no record of and 400 for a bad body', async () => {
    const missing = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/notify-endpoints/resume', {
      body: { mercNo: 'NOSUCHMERCHANT', url: 'https://nowhere.example/notify' },
    });
    expect(missing.status).toBe(404);
    const bad = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/notify-endpoints/resume', { body: { mercNo: 'X' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'url' });
  });
});
