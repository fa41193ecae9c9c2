import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { TcpProxy } from '../support/tcp-proxy';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById, listEvents } from '../../db/orders';
import { createLogger } from '../../config/logger';
import { openSandboxOrder, paySandboxOrder } from '../../channels/sandbox/books';
import { claimDueReports, findReport } from '../../channels/sandbox/report-outbox';
import { startReportDispatcher } from '../../channels/sandbox/report-dispatcher';
import type { TestMerchant as Merchant } from '../support/stack-core';

// The sandbox's payment reports go through its outbox (channels/sandbox/report-outbox.ts): real API + worker +
// Temporal + PostgreSQL, the API reaching Temporal through a proxy the tests cut. Polling is slow here (1 h), so what
// settles an order within a test came through the outbox, not the poller.
let stack: TestStack;
let proxy: TcpProxy;
let merchant: Merchant;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  proxy = await new TcpProxy(inject('temporalAddress')).start();
  stack = await startStack({
    POLL_SCHEDULE: '1h',
    NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms',
    SANDBOX_REPORT_SCHEDULE: '200ms,400ms,600ms',
    CHANNEL_REPORT_TIMEOUT: '1s',
  }, { apiTemporalAddress: proxy.address });
  merchant = await testMerchant(stack.pool);
});
afterEach(async () => {
  await proxy.cut();
  await proxy.restore();
  if (!stack.worker) await stack.startWorker();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await stack?.stop();
  await proxy?.stop();
});

const channelOrderNoOf = (payUrl: string) => decodeURIComponent(new URL(payUrl).pathname.split('/').pop()!);

async function placeOrder() {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
  expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
  return { receiver, orderId: placed.body.orderId!, channelOrderNo: channelOrderNoOf(placed.body.codeUrl!) };
}

const order = (orderId: string) => findOrderById(stack.pool, orderId);
const notifyIds = (receiver: MerchantReceiver, orderId: string) => new Set(receiver.forOrder(orderId).map((r) => r.headers['x-notify-id']));

describe('sandbox report outbox', () => {
  it('a payment made while Temporal is unreachable is kept in the outbox and delivered by the dispatcher once it is back', async () => {
    const { receiver, orderId, channelOrderNo } = await placeOrder();
    // Temporal is down for everyone: the API cannot reach it and no worker runs.
    await stack.worker!.stop();
    stack.worker = null;
    await proxy.cut();

    const startedMs = Date.now();
    const paid = await payInSandbox(stack.api.url, channelOrderNo);
    expect(paid).toMatchObject({ status: 200, body: { paid: true, status: 'paid' } });
    // The payer is not kept waiting for Temporal beyond CHANNEL_REPORT_TIMEOUT (1 s) and some slack.
    expect(Date.now() - startedMs).toBeLessThan(4_000);
    const queued = await findReport(stack.pool, orderId);
    expect(queued).toMatchObject({ channelOrderNo, state: 'pending', attempts: 1, handedTo: null });
    expect(queued!.lastError).toBeTruthy();
    expect((await order(orderId))!.payStatus).toBe('p0002');
    expect(receiver.received).toHaveLength(0);

    // Temporal is back, and a worker with it: its dispatcher delivers the report.
    await proxy.restore();
    await stack.startWorker();
    const delivered = await eventually(async () => {
      const r = await findReport(stack.pool, orderId);
      return r?.state === 'delivered' ? r : null;
    }, 20_000, 'report delivered');
    expect(delivered).toMatchObject({ handedTo: 'workflow', lastError: null });
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
    await eventually(async () => (await order(orderId))?.notifyState === 'delivered', 20_000, 'merchant notified');
    expect(await order(orderId)).toMatchObject({ payStatus: 'p0000', latePayment: false });
    expect([...notifyIds(receiver, orderId)]).toEqual([`${orderId}-p0000`]);
    const paidEvents = (await listEvents(stack.pool, orderId)).filter((e) => e.type === 'paid' || e.type === 'late_payment');
    expect(paidEvents.map((e) => [e.type, e.detail.source])).toEqual([['paid', 'callback']]);
  });

  it('a payment taken after the close whose immediate delivery fails is still applied as a late payment', async () => {
    const { receiver, orderId, channelOrderNo } = await placeOrder();
    const closed = await merchantCall(stack.api.url, '/api/close', merchant, { orderId });
    expect(closed.body).toMatchObject({ respCode: '000000', payStatus: 'p0005' });
    await stack.client.workflow.getHandle((await order(orderId))!.workflowId).result();
    expect([...notifyIds(receiver, orderId)]).toEqual([`${orderId}-p0005`]);

    await proxy.cut();
    const paid = await payInSandbox(stack.api.url, channelOrderNo, true);
    expect(paid.body).toMatchObject({ paid: true });
    // The API's attempt failed; the worker's dispatcher (which reaches Temporal) hands it to the late-payment follow-up.
    const delivered = await eventually(async () => {
      const r = await findReport(stack.pool, orderId);
      return r?.state === 'delivered' ? r : null;
    }, 20_000, 'report delivered');
    expect(delivered.handedTo).toBe('follow-up');
    expect(delivered.attempts).toBeGreaterThanOrEqual(2);
    // The receiver acknowledged the p0000 notification (the notify state alone can still say "delivered" from p0005).
    await eventually(async () => notifyIds(receiver, orderId).has(`${orderId}-p0000`) && (await order(orderId))?.notifyState === 'delivered'
      && (await order(orderId))?.payStatus === 'p0000', 20_000, 'late payment notified');
    expect(await order(orderId)).toMatchObject({ payStatus: 'p0000', latePayment: true });
    expect((await listEvents(stack.pool, orderId)).map((e) => e.type)).toContain('late_payment');
    expect([...notifyIds(receiver, orderId)].sort()).toEqual([`${orderId}-p0000`, `${orderId}-p0005`]);
  });

  it('a duplicate delivery is harmless: the same report sent again changes nothing and notifies nobody again', async () => {
    const { receiver, orderId, channelOrderNo } = await placeOrder();
    await payInSandbox(stack.api.url, channelOrderNo);
    await eventually(async () => (await order(orderId))?.notifyState === 'delivered', 20_000, 'merchant notified');
    expect((await findReport(stack.pool, orderId))).toMatchObject({ state: 'delivered', attempts: 1, handedTo: 'workflow' });
    // Re-arm the delivered row, as a dispatcher whose claim lapsed mid-attempt would find it, and let it be sent again.
    await stack.pool.query("UPDATE sandbox_report_outbox SET state = 'pending', next_attempt_at = now() WHERE order_id = $1", [orderId]);
    await eventually(async () => (await findReport(stack.pool, orderId))?.state === 'delivered', 20_000, 'sent again');
    await stack.client.workflow.getHandle((await order(orderId))!.workflowId).result();
    expect((await listEvents(stack.pool, orderId)).filter((e) => e.type === 'paid' || e.type === 'late_payment')).toHaveLength(1);
    expect([...notifyIds(receiver, orderId)]).toEqual([`${orderId}-p0000`]);
  });
});

describe('report dispatchers side by side', () => {
  // Bare outbox rows (no order behind them) and dispatchers with a recording deliver: the stack's worker is stopped
  // before each test (the file's afterEach starts it again), so the only claimants are the ones under test.
  beforeEach(async () => {
    await stack.worker?.stop();
    stack.worker = null;
  });

  async function paidReports(n: number, leaseMs = 0): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const orderId = `OUTBOX${randomUUID().replace(/-/g, '')}`;
      const sandbox = await openSandboxOrder(stack.pool, orderId, 100 + i, 'outbox test');
      await paySandboxOrder(stack.pool, sandbox.channelOrderNo, false, { token: randomUUID(), leaseMs });
      ids.push(orderId);
    }
    return ids;
  }
  const states = async (ids: string[]) =>
    (await stack.pool.query<{ state: string }>('SELECT state FROM sandbox_report_outbox WHERE order_id = ANY($1)', [ids])).rows.map((r) => r.state);

  it('two claims at once take disjoint rows', async () => {
    const ids = await paidReports(6);
    const lease = { leaseMs: 3_600_000 };
    const [a, b] = await Promise.all([
      claimDueReports(stack.pool, 1000, { ...lease, token: 'a' }), claimDueReports(stack.pool, 1000, { ...lease, token: 'b' }),
    ]);
    const mine = [...a, ...b].filter((c) => ids.includes(c.orderId));
    expect(mine.map((c) => c.orderId).sort()).toEqual([...ids].sort());
    expect(mine.every((c) => c.attempts === 2)).toBe(true);
    await stack.pool.query("UPDATE sandbox_report_outbox SET state = 'delivered' WHERE order_id = ANY($1)", [ids]);
  });

  it('two running dispatchers deliver every report exactly once', async () => {
    const ids = await paidReports(24);
    const deliveries: string[] = [];
    const deliver = async (orderId: string) => {
      deliveries.push(orderId);
      await new Promise((r) => setTimeout(r, 20)); // an attempt takes a while, so the two overlap
      return 'workflow';
    };
    const log = createLogger('silent', 'test');
    const common = { pool: stack.pool, log, scheduleMs: [100], reportTimeoutMs: 1_000, deliver, batchSize: 4, concurrency: 2 };
    const dispatchers = [startReportDispatcher(common), startReportDispatcher(common)];
    try {
      await eventually(async () => (await states(ids)).every((s) => s === 'delivered'), 20_000, 'all delivered');
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const mine = deliveries.filter((id) => ids.includes(id));
    expect(mine.sort()).toEqual([...ids].sort());
  });

  it('a report that never gets through is retried along the schedule, then left exhausted with an error logged', async () => {
    const [orderId] = await paidReports(1);
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const dispatcher = startReportDispatcher({
      pool: stack.pool, log: createLogger('info', 'test', sink), scheduleMs: [50, 100], reportTimeoutMs: 1_000,
      deliver: async () => { throw new Error('14 UNAVAILABLE: connection refused'); },
    });
    try {
      await eventually(async () => (await findReport(stack.pool, orderId!))?.state === 'exhausted', 20_000, 'exhausted');
    } finally {
      await dispatcher.stop();
    }
    // The immediate attempt (never made here) counts as 1; then one per delay: 1 + 2 = 3, and it stays visible.
    expect(await findReport(stack.pool, orderId!)).toMatchObject({ state: 'exhausted', attempts: 3, lastError: '14 UNAVAILABLE: connection refused' });
    const exhausted = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l.msg).includes('exhausted'));
    expect(exhausted).toHaveLength(1);
    expect(exhausted[0]).toMatchObject({ level: 50, orderId, attempt: 3 });
  });

  it('a claim whose holder died lapses: the row is due again after the lease', async () => {
    const [orderId] = await paidReports(1, 3_600_000);
    await stack.pool.query("UPDATE sandbox_report_outbox SET next_attempt_at = now() WHERE order_id = $1", [orderId]);
    const first = (await claimDueReports(stack.pool, 1000, { token: 'dead', leaseMs: 200 })).filter((c) => c.orderId === orderId);
    expect(first).toHaveLength(1);
    expect((await claimDueReports(stack.pool, 1000, { token: 'early', leaseMs: 200 })).some((c) => c.orderId === orderId)).toBe(false);
    const again = await eventually(async () => {
      const claimed = (await claimDueReports(stack.pool, 1000, { token: 'next', leaseMs: 3_600_000 })).find((c) => c.orderId === orderId);
      return claimed ?? null;
    }, 5_000, 'claim lapsed');
    expect(again).toMatchObject({ attempts: 3, claimToken: 'next' });
    await stack.pool.query("UPDATE sandbox_report_outbox SET state = 'delivered' WHERE order_id = $1", [orderId]);
  });
});
