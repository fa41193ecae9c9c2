import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, merchantCall, TEST_OPERATORS, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { notifyStateOf, paidOrder } from '../support/support-api';
import { orderOf, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { launchChromium, PHONE } from '../support/browser';
import { findOrderById, listEvents } from '../../db/orders';
import { formatCompactTime } from '../../domain/time';
import { beginRun, finishRun, storeComparison, storeLines } from '../../db/recon';
import { ACTION_OF } from '../../domain/reconciliation';

// The support console (admin listener, /console) and the sandbox cashier in headless Chromium, on the real stack:
// API + worker + Temporal + PostgreSQL, the IPayNow emulator for an order that needs a person, real merchant
// receivers. Merchant schedules are long, so only the console's actions cause notification attempts.
const LONG_MS = 10 * 60_000;
let s: IpaynowStack;
let browser: Browser;
const receivers: MerchantReceiver[] = [];
const openWorkflows: string[] = [];

beforeAll(async () => {
  s = await startIpaynowStack({
    POLL_SCHEDULE: '200ms', UNKNOWN_RETRY_SCHEDULE: '100ms,200ms', UNKNOWN_ESCALATE_AFTER: '600ms', CHANNEL_WATCH_MARGIN: '1s',
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await Promise.allSettled(openWorkflows.map((id) => s.stack.client.workflow.getHandle(id).terminate('test finished')));
  await Promise.all(receivers.map((r) => r.stop()));
  await s?.stop();
});

const admin = () => s.stack.api.adminUrl;
async function receiver(script?: ConstructorParameters<typeof MerchantReceiver>[0]) {
  const r = await new MerchantReceiver(script).start();
  receivers.push(r);
  return r;
}

/** A browser context signed in as `operator` through the sign-in form. */
async function signedIn(operator: keyof typeof TEST_OPERATORS, viewport?: { width: number; height: number }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext(viewport ? { viewport, isMobile: true, hasTouch: true } : {});
  const page = await ctx.newPage();
  await page.goto(`${admin()}/console`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  await page.fill('#token', TEST_OPERATORS[operator]);
  await page.click('button[type=submit]');
  await page.waitForURL(`${admin()}/console`);
  expect(await page.textContent('nav .who')).toBe(operator);
  return { ctx, page };
}

/** Fails when the page scrolls sideways at its viewport width (phone layout). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  // Browser-side code as text: this project's TypeScript has no DOM library.
  const { scrollWidth, innerWidth } = await page.evaluate<{ scrollWidth: number; innerWidth: number }>(
    '({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })');
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
}

/** A reconciliation report of a day long gone (nothing else reconciles it): one match, an amount mismatch, an unknown order. */
async function seedReconReport(orderId: string): Promise<void> {
  const day = { channel: 'ipaynow' as const, date: '2001-02-03' };
  const at = Date.parse('2001-02-03T10:00:00+08:00');
  await beginRun(s.stack.pool, { ...day, workflowId: 'recon:ipaynow:2001-02-03', runId: 'seeded' });
  await storeLines(s.stack.pool, day.channel, day.date, [
    { type: 'pay', channelTradeNo: 'NP1', orderId: 'OTHER', amountFen: 500, status: 'A001', atMs: at },
    { type: 'pay', channelTradeNo: 'NP2', orderId, amountFen: 200, status: 'A001', atMs: at },
    { type: 'pay', channelTradeNo: 'NP3', orderId: 'NOBODY', amountFen: 100, status: 'A001', atMs: at },
  ]);
  await storeComparison(s.stack.pool, day.channel, day.date, {
    lines: 3, matched: 1, discrepancies: [
      { kind: 'amount_mismatch', key: `amount_mismatch:${orderId}`, orderId, channelFen: 200, ourFen: 100, detail: 'the channel collected 200 fen, the order is 100 fen' },
      { kind: 'unknown_order', key: 'unknown_order:NOBODY', orderId: 'NOBODY', channelFen: 100, detail: 'the channel lists a payment of an order we do not have' },
    ],
  }, (k) => ACTION_OF[k]);
  await finishRun(s.stack.pool, { ...day, status: 'done' });
}

async function waitingOrder() {
  const merchant = await testMerchant(s.stack.pool, { notifyScheduleMs: [LONG_MS, LONG_MS, LONG_MS] });
  const r = await receiver([{ kind: 'answer', body: 'fail' }]);
  const placed = await paidOrder(s.stack, merchant, r.url);
  const order = await notifyStateOf(s.stack, placed.orderId, ['pending']);
  openWorkflows.push(order.workflowId);
  return { merchant, receiver: r, order };
}

describe('support console: sign-in and forms', () => {
  it('shows nothing and changes nothing without a session, and refuses a wrong token', async () => {
    const { order } = await waitingOrder();
    const page = await fetch(`${admin()}/console/orders/${order.orderId}`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/console/login');
    const pause = await fetch(`${admin()}/console/orders/${order.orderId}/notification/pause`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'csrf=x',
    });
    expect(pause.status).toBe(401);
    const forged = await fetch(`${admin()}/console/orders/${order.orderId}/notification/pause`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'pd_console=ops-alice.99999999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      body: 'csrf=x',
    });
    expect(forged.status).toBe(401);
    const wrong = await fetch(`${admin()}/console/login`, {
      method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'token=not-an-operator-token-at-all',
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await findOrderById(s.stack.pool, order.orderId))!.notifyState).toBe('pending');
    expect((await listEvents(s.stack.pool, order.orderId)).some((e) => e.type.startsWith('support_'))).toBe(false);
  });

  it('refuses a signed-in form without this session\'s form token or from another origin', async () => {
    const { order } = await waitingOrder();
    const { ctx, page } = await signedIn('ops-bob');
    try {
      await page.goto(`${admin()}/console/orders/${order.orderId}`);
      const csrf = await page.getAttribute('form[action$="/notification/pause"] input[name=csrf]', 'value');
      const cookie = (await ctx.cookies()).find((c) => c.name === 'pd_console')!;
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
      const post = (body: string, headers: Record<string, string> = {}) => fetch(`${admin()}/console/orders/${order.orderId}/notification/pause`, {
        method: 'POST', redirect: 'manual', body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: `pd_console=${cookie.value}`, ...headers },
      });
      expect((await post('')).status).toBe(403);
      expect((await post('csrf=AAAA')).status).toBe(403);
      expect((await post(`csrf=${encodeURIComponent(csrf!)}`, { Origin: 'https://evil.example' })).status).toBe(403);
      expect((await post(`csrf=${encodeURIComponent(csrf!)}`, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
      expect((await findOrderById(s.stack.pool, order.orderId))!.notifyState).toBe('pending');
      const ok = await post(`csrf=${encodeURIComponent(csrf!)}`, { Origin: new URL(admin()).origin });
      expect(ok.status).toBe(303);
      await notifyStateOf(s.stack, order.orderId, ['paused']);
    } finally {
      await ctx.close();
    }
  });
});

describe('support console in Chromium', () => {
  it('finds an order by any number, shows its timeline, pauses, resumes and replays its notification (audited)', async () => {
    const { receiver: r, order } = await waitingOrder();
    expect(r.received).toHaveLength(1);
    const { ctx, page } = await signedIn('ops-alice');
    try {
      for (const no of [order.mercOrderNo, order.channelOrderNo!, order.orderId]) {
        await page.fill('input[name=q]', no);
        await page.click('form[role=search] button');
        await page.waitForURL(`${admin()}/console/orders/${order.orderId}`);
        await page.goto(`${admin()}/console`);
      }
      await page.goto(`${admin()}/console/orders/${order.orderId}`);
      expect(await page.textContent('#pay-status')).toContain('p0000 paid');
      const timeline = await page.locator('ol.timeline li').allTextContents();
      expect(timeline.some((t) => /attempt 1 \(p0000\) → failed/.test(t))).toBe(true);
      expect(timeline.some((t) => /channel call/.test(t))).toBe(true);

      await page.click('form[action$="/notification/pause"] button');
      await page.waitForURL(`${admin()}/console/orders/${order.orderId}`);
      expect(await page.textContent('.notice')).toBe('Notification paused.');
      await notifyStateOf(s.stack, order.orderId, ['paused']);
      await page.reload();
      expect(await page.textContent('#notify-state')).toBe('paused');
      expect(await page.locator('.notice').count()).toBe(0); // shown once

      // A replay of a paused notification is refused with the reason, on the page.
      await page.click('form[action$="/notification/replay"] button');
      expect(await page.textContent('.notice.error')).toContain('paused');

      await page.click('form[action$="/notification/resume"] button');
      expect(await page.textContent('.notice')).toContain('resumed');
      await r.waitFor(2, 15_000);
      await page.click('form[action$="/notification/replay"] button');
      expect(await page.textContent('.notice.ok')).toContain('Replay requested');
      await r.waitFor(3, 15_000);
      expect(r.received.map((x) => x.headers['x-notify-attempt'])).toEqual(['1', '2', '3']);

      const events = await listEvents(s.stack.pool, order.orderId);
      const support = events.filter((e) => e.type.startsWith('support_'));
      expect(support.map((e) => [e.type, e.actor])).toEqual([
        ['support_pause', 'ops-alice'], ['support_resume', 'ops-alice'], ['support_replay', 'ops-alice'],
      ]);
    } finally {
      await ctx.close();
    }
  });

  it('lists several orders sharing a merchant order number, and says when nothing matches', async () => {
    const a = await waitingOrder();
    const other = await testMerchant(s.stack.pool);
    const r = await receiver();
    const placed = await merchantCall(s.stack.api.url, '/api/pay', other, unifiedOrderFields({ notifyUrl: r.url, mercOrderNo: a.order.mercOrderNo }));
    expect(placed.body.respCode).toBe('000000');
    const { ctx, page } = await signedIn('ops-alice');
    try {
      await page.goto(`${admin()}/console/find?q=${encodeURIComponent(a.order.mercOrderNo)}`);
      const hits = await page.locator('ul.list li a').allTextContents();
      expect(new Set(hits)).toEqual(new Set([a.order.orderId, placed.body.orderId!]));
      await page.goto(`${admin()}/console/find?q=NO-SUCH-ORDER-1`);
      expect(await page.textContent('main')).toContain('No order has the number NO-SUCH-ORDER-1');
      const bad = await page.goto(`${admin()}/console/find?q=${encodeURIComponent('<script>x</script> y')}`);
      expect(bad!.status()).toBe(400);
      expect(await page.locator('main script').count()).toBe(0);
    } finally {
      await ctx.close();
    }
  });

  it('works the human queue: an order the channel cannot settle is decided from a phone, applied by its workflow', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const r = await receiver();
    const fields = unifiedOrderFields({ notifyUrl: r.url, orderPeriod: '1', tradeTime: formatCompactTime(Date.now() - 58_000) });
    const placed = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
    expect(placed.body.respCode).toBe('000000');
    const orderId = placed.body.orderId!;
    s.emulator.controls.setFaults({ notify: { mode: 'never' }, unknownResult: { MQ002: true } });
    try {
      await eventually(async () => ((await s.stack.pool.query(
        'SELECT 1 FROM order_reviews WHERE order_id = $1 AND resolved_at IS NULL', [orderId])).rowCount ? true : null), 30_000, 'the order in the human queue');
      const { ctx, page } = await signedIn('ops-bob', PHONE);
      try {
        await expectNoSidewaysScroll(page);
        expect(await page.textContent('main')).toContain(orderId);
        await page.click('nav a[href="/console/queue"]');
        await expectNoSidewaysScroll(page);
        await page.click(`a[href="/console/orders/${orderId}"]`);
        await expectNoSidewaysScroll(page);
        expect(await page.textContent('section[aria-label=Decision]')).toContain('unknown_result');
        await page.selectOption('section[aria-label=Decision] select[name=decision]', 'unpaid');
        await page.fill('section[aria-label=Decision] textarea[name=reason]', 'IPayNow portal shows the order closed unpaid');
        const resolve = page.locator('section[aria-label=Decision] button');
        expect(await resolve.isVisible()).toBe(true);
        await resolve.click();
        expect(await page.textContent('.notice.ok')).toBe('Resolved as unpaid: the order is now p0006.');
        expect(await page.locator('section[aria-label=Decision]').count()).toBe(0);
        await expectNoSidewaysScroll(page);
        expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0006');
        const events = await listEvents(s.stack.pool, orderId);
        expect(events.find((e) => e.type === 'review_resolved')).toMatchObject({ actor: 'ops-bob' });
        // Reconciliation reports: the list per day and channel, one report's discrepancies linking to their orders.
        await seedReconReport(orderId);
        await page.click('nav a[href="/console/reconciliation"]');
        await expectNoSidewaysScroll(page);
        const list = await page.textContent('#reconciliation');
        expect(list).toContain('2001-02-03 · ipaynow');
        expect(list).toContain('3 line(s), 1 matched, 2 open discrepancy(ies)');
        expect(list).toContain('amount differs: 1');
        await page.click('a[href="/console/reconciliation/ipaynow/2001-02-03"]');
        await expectNoSidewaysScroll(page);
        expect(await page.textContent('#recon-report')).toMatch(/Channel took\s*¥8\.00/);
        const found = page.locator('section[aria-label=Discrepancies] li');
        expect(await found.count()).toBe(2);
        expect(await found.nth(0).textContent()).toMatch(/amount differs.*channel ¥2\.00 · ours ¥1\.00/s);
        expect(await found.nth(1).textContent()).toContain('unknown order');
        await page.click(`section[aria-label=Discrepancies] a[href="/console/orders/${orderId}"]`);
        expect(new URL(page.url()).pathname).toBe(`/console/orders/${orderId}`);
      } finally {
        await ctx.close();
      }
    } finally {
      s.emulator.controls.resetFaults();
    }
  });
});

describe('sandbox cashier in Chromium', () => {
  it('looks like the payway\'s cashier at phone width, shows the amount large, and returns the payer to returnUrl after paying', async () => {
    const merchant = await testMerchant(s.stack.pool);
    const notify = await receiver();
    const back = await receiver([{ kind: 'answer', body: 'merchant return page' }]);
    const returnUrl = `${back.url}/return?from=cashier`;
    const placed = await merchantCall(s.stack.api.url, '/api/pay', merchant,
      unifiedOrderFields({ notifyUrl: notify.url, returnUrl, paywayCode: 'wxpay', sceneCode: 'scan', tradeAmt: '88.80' }));
    expect(placed.body.respCode).toBe('000000');
    const ctx = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    try {
      const page = await ctx.newPage();
      await page.goto(placed.body.codeUrl!);
      await expectNoSidewaysScroll(page);
      const style = await page.evaluate<{ band: string; amount: string; amountPx: number; button: string }>(`(() => {
        const amount = document.querySelector('.amount b');
        return {
          band: getComputedStyle(document.querySelector('.payway')).backgroundColor, amount: amount.textContent,
          amountPx: parseFloat(getComputedStyle(amount).fontSize), button: getComputedStyle(document.querySelector('button.pay')).backgroundColor,
        };
      })()`);
      expect(style).toMatchObject({ band: 'rgb(7, 193, 96)', button: 'rgb(7, 193, 96)', amount: '88.80' });
      expect(style.amountPx).toBeGreaterThanOrEqual(40);
      expect(await page.textContent('.payway')).toContain('WeChat Pay');
      await page.click('button.pay');
      await page.waitForURL(returnUrl);
      expect(await page.textContent('body')).toBe('merchant return page');
      await notify.waitFor(1, 15_000);
      expect(notify.received[0]!.body).toMatchObject({ payStatus: 'p0000', tradeAmt: '88.80' });
      // Paid: the page says so and links back to the merchant.
      await page.goto(placed.body.codeUrl!);
      expect(await page.textContent('.state')).toBe('This order is paid.');
      expect(await page.getAttribute('a.back', 'href')).toBe(returnUrl);
      expect((await findOrderById(s.stack.pool, placed.body.orderId!))!.returnUrl).toBe(returnUrl);
    } finally {
      await ctx.close();
    }
  });
});
