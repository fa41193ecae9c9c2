import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant, type TestMerchant as Merchant } from '../support/stack';
import { freePort } from '../../devstack/paths';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { orderOf, PLATFORM_APP_ID, PLATFORM_APP_KEY } from '../support/ipaynow';
import { payer, startAlipayStack, type AlipayStack } from '../support/alipay';
import { supportCall } from '../support/support-call';
import { globalSetupBase } from '../support/stack';
import { withOwnDatabase } from '../support/own-database';
import { startIpaynowEmulator, type IpaynowEmulator } from '../../emulator/ipaynow';
import { findChannelRoutes, setChannelRoute, setChannelRoutes } from '../../db/channel-routes';
import { listEvents } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';
import { SA } from '../../workflows/search-attributes';
import type { CircuitView } from '../../observability/health';

// Routing with failover and the per-channel circuit breaker, end to end: the real API, worker, Temporal and
// PostgreSQL, with the Alipay and IPayNow emulators over HTTP. The merchant's alipay payway lists [alipay, ipaynow].
// The breaker opens after 3 UNKNOWN answers in a row and stays open 4 s; polls run every 2 s. The stack has a database
// of its own, so its poller asks the channels about this file's orders only.
let s: AlipayStack;
let ipaynow: IpaynowEmulator;
const receivers: MerchantReceiver[] = [];
const OPEN_FOR_MS = 4_000;

beforeAll(async () => {
  ipaynow = await startIpaynowEmulator({ apps: { [PLATFORM_APP_ID]: PLATFORM_APP_KEY }, notifyScale: 0.001 });
  s = await startAlipayStack({
    POLL_SCHEDULE: '2s', NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms',
    IPAYNOW_APP_ID: PLATFORM_APP_ID, IPAYNOW_APP_KEY: PLATFORM_APP_KEY, IPAYNOW_BASE_URL: ipaynow.url, IPAYNOW_TIMEOUT: '500ms',
    CIRCUIT_FAILURE_THRESHOLD: '3', CIRCUIT_FAILURE_WINDOW: '30s', CIRCUIT_OPEN_FOR: `${OPEN_FOR_MS}ms`,
    WORKER_HTTP_PORT: String(await freePort()),
  }, await withOwnDatabase(globalSetupBase())); // only this stack's orders are polled: the breaker counts their answers
});
afterEach(async () => {
  s.emulator.faults.gateway = [];
  s.emulator.faults.notify.missing = false;
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
  await ipaynow?.stop();
});

/** A live merchant whose alipay payway lists alipay first, then IPayNow. */
async function failoverMerchant(): Promise<Merchant> {
  const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
  await setChannelRoutes(s.stack.pool, merchant.mercNo, 'alipay', ['alipay', 'ipaynow']);
  return merchant;
}

async function placeOrder(merchant: Merchant) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, paywayCode: 'alipay', sceneCode: 'scan' });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  return { receiver, answer: res.body, orderId: res.body.orderId! };
}

const channelAttribute = async (orderId: string) => {
  const order = await orderOf(s.stack, orderId);
  return (await s.stack.client.workflow.getHandle(order.workflowId).describe()).typedSearchAttributes.get(SA.channel);
};
const failovers = async (orderId: string) => (await listEvents(s.stack.pool, orderId)).filter((e) => e.type === 'channel_failover').map((e) => e.detail);

async function readyz(url: string): Promise<{ status: number; circuits: CircuitView[] }> {
  const res = await fetch(`${url}/readyz`);
  const body = (await res.json()) as { circuits?: CircuitView[] };
  return { status: res.status, circuits: body.circuits ?? [] };
}
const workerCircuit = async (channel: string) => (await readyz(s.stack.worker!.opsUrl!)).circuits.find((c) => c.channel === channel)!;
const circuitIs = (state: CircuitView['state']) =>
  eventually(async () => ((await workerCircuit('alipay')).state === state ? true : null), 15_000, `alipay circuit ${state}`);
async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`${s.stack.worker!.opsUrl!}/metrics`)).text();
  const found = text.split('\n').find((l) => line.test(l));
  return found ? Number(found.split(' ').at(-1)) : 0;
}

describe('channel routes', () => {
  it('a payway lists channels in order; a single route (and the merchant-wide * row) keeps working as before', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    await setChannelRoute(s.stack.pool, merchant.mercNo, '*', 'ipaynow');
    await setChannelRoutes(s.stack.pool, merchant.mercNo, 'alipay', ['alipay', 'ipaynow']);
    expect(await findChannelRoutes(s.stack.pool, merchant.mercNo, 'alipay')).toEqual(['alipay', 'ipaynow']);
    expect(await findChannelRoutes(s.stack.pool, merchant.mercNo, 'wxpay')).toEqual(['ipaynow']);
    await setChannelRoute(s.stack.pool, merchant.mercNo, 'alipay', 'alipay');
    expect(await findChannelRoutes(s.stack.pool, merchant.mercNo, 'alipay')).toEqual(['alipay']);
    await expect(setChannelRoutes(s.stack.pool, merchant.mercNo, 'alipay', ['alipay', 'alipay'])).rejects.toThrow(/once/);
  });
});

describe('failover', () => {
  it('a create declined at Alipay moves the order to IPayNow: paid there, the move in the timeline and the Channel search attribute', async () => {
    s.emulator.faults.gateway = [{ kind: 'declined', method: 'alipay.trade.precreate', times: 1 }];
    const { receiver, answer, orderId } = await placeOrder(await failoverMerchant());
    expect(answer.respCode, answer.respDesc).toBe('000000');
    expect(answer.codeUrl).toContain(ipaynow.url); // IPayNow's pay link, not Alipay's QR code
    expect(s.emulator.trade(orderId)).toBeUndefined();
    expect(await orderOf(s.stack, orderId)).toMatchObject({ channel: 'ipaynow', payStatus: 'p0002' });
    expect(await failovers(orderId)).toEqual([{ from: 'alipay', to: 'ipaynow', result: 'DECLINED', reason: expect.stringContaining('40006') }]);
    await eventually(async () => ((await channelAttribute(orderId)) === 'ipaynow' ? true : null), 10_000, 'Channel = ipaynow');

    expect(ipaynow.controls.pay(orderId).paid).toBe(true);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });

    // Support's timeline tells the story: Alipay's refusal, the move, IPayNow's create.
    const { body } = await supportCall<{ timeline: { source: string; summary: string }[] }>(s.stack.api.adminUrl, 'GET', `/support/v1/orders/${orderId}`);
    const story = body.timeline.map((t) => t.summary);
    const at = (text: string) => story.findIndex((line) => line.includes(text));
    expect(at('alipay create → DECLINED')).toBeGreaterThanOrEqual(0);
    expect(at('channel_failover')).toBeGreaterThan(at('alipay create → DECLINED'));
    expect(at('ipaynow create → CREATED')).toBeGreaterThan(at('channel_failover'));
    expect(story[at('channel_failover')]).toMatch(/from=alipay/);
    expect(story[at('channel_failover')]).toMatch(/to=ipaynow/);
    // A refusal is a clear answer: the channel is up.
    expect((await workerCircuit('alipay')).state).toBe('closed');
  });

  it('an UNKNOWN create (Alipay times out) does not fail over: the order stays at Alipay, which may take the money, and a query settles it', async () => {
    s.emulator.faults.gateway = [{ kind: 'timeout', method: 'alipay.trade.precreate', times: 1, delayMs: 1_500 }];
    s.emulator.faults.notify.missing = true;
    const { receiver, answer, orderId } = await placeOrder(await failoverMerchant());
    expect(answer.respCode).toBe('200001');
    expect(await orderOf(s.stack, orderId)).toMatchObject({ channel: 'alipay', payStatus: 'p0001' });
    expect(await failovers(orderId)).toEqual([]);
    expect(ipaynow.controls.order(orderId)).toBeNull();
    // Alipay did create it after all; the payer pays there and the poller's query finds it.
    await eventually(async () => (s.emulator.trade(orderId) ? true : null), 5_000, 'the trade at Alipay');
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await orderOf(s.stack, orderId)).toMatchObject({ channel: 'alipay', payStatus: 'p0000' });
    expect((await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'paid')?.detail.source).toBe('poll');
    expect(await channelAttribute(orderId)).toBe('alipay');
  });
});

describe('circuit breaker', () => {
  it('Alipay failing repeatedly opens its circuit: the next order skips Alipay for IPayNow; a probe closes the circuit again', async () => {
    await circuitIs('closed');
    const merchant = await failoverMerchant();
    // No order of this stack is open at Alipay now (the tests above settled theirs), so no poll answers in between.
    expect((await workerCircuit('alipay')).failures).toBe(0);
    // Three answers that say nothing (20000), in a row: each order stays at Alipay (UNKNOWN never fails over)…
    s.emulator.faults.gateway = [{ kind: 'unavailable', method: 'alipay.trade.precreate', times: 3 }];
    for (let i = 0; i < 3; i++) expect((await placeOrder(merchant)).answer.respCode).toBe('200001');
    // …and the circuit opens: visible in the worker's /readyz, its metrics and (as reported) the API's /readyz.
    const open = await workerCircuit('alipay');
    expect(open).toMatchObject({ state: 'open', failures: 3, retryAt: expect.any(String) });
    expect(await metric(/^paydurable_channel_circuit_state\{channel="alipay"\}/)).toBe(2);
    const api = await eventually(async () => {
      const r = await readyz(s.stack.api.adminUrl);
      return r.circuits.some((c) => c.channel === 'alipay' && c.worker === open.worker && c.state === 'open') ? r : null;
    }, 5_000, "the API's /readyz showing this worker's alipay circuit open");
    expect(api.status).toBe(200); // an open circuit does not make the API unready

    // The next order is not sent to Alipay at all: IPayNow takes it.
    const skipped = await placeOrder(merchant);
    expect(skipped.answer.respCode, skipped.answer.respDesc).toBe('000000');
    expect(s.emulator.trade(skipped.orderId)).toBeUndefined();
    expect(await orderOf(s.stack, skipped.orderId)).toMatchObject({ channel: 'ipaynow' });
    expect(await failovers(skipped.orderId)).toEqual([{ from: 'alipay', to: 'ipaynow', result: 'UNAVAILABLE', reason: expect.stringContaining('circuit open') }]);
    expect((await listChannelCalls(s.stack.pool, skipped.orderId)).map((c) => [c.channel, c.op, c.status])).toEqual([
      ['alipay', 'create', 'UNAVAILABLE'], ['ipaynow', 'create', 'CREATED'],
    ]);
    await eventually(async () => ((await channelAttribute(skipped.orderId)) === 'ipaynow' ? true : null), 10_000, 'Channel = ipaynow');
    expect(await metric(/^paydurable_channel_circuit_refusals_total\{channel="alipay",op="create"\}/)).toBeGreaterThanOrEqual(1);

    // Alipay answers again; after the open time one call goes through as the probe (a poll of an open order, or a
    // create), its clear answer closes the circuit, and orders go to Alipay again.
    await circuitIs('closed');
    expect(await metric(/^paydurable_channel_circuit_transitions_total\{channel="alipay",to="half_open"\}/)).toBeGreaterThanOrEqual(1);
    expect(await metric(/^paydurable_channel_circuit_transitions_total\{channel="alipay",to="closed"\}/)).toBeGreaterThanOrEqual(1);
    expect(await metric(/^paydurable_channel_circuit_state\{channel="alipay"\}/)).toBe(0);
    const back = await placeOrder(merchant);
    expect(back.answer.respCode).toBe('000000');
    expect(await orderOf(s.stack, back.orderId)).toMatchObject({ channel: 'alipay' });
    expect(s.emulator.trade(back.orderId)).toBeDefined();
  });

  it('a probe that fails opens the circuit again: the next order again skips Alipay', async () => {
    await circuitIs('closed');
    const merchant = await failoverMerchant();
    // Every Alipay call fails until the fault is lifted (the polls of the open orders above too, which count as well):
    // orders stay at Alipay, answered "unknown", until the circuit opens.
    s.emulator.faults.gateway = [{ kind: 'unavailable', times: 1_000 }];
    for (let i = 0; i < 3 && (await workerCircuit('alipay')).state === 'closed'; i++) {
      const o = await placeOrder(merchant);
      if (o.answer.respCode === '000000') {
        // A failing poll opened the circuit between the check and this order: it went to IPayNow.
        expect(await failovers(o.orderId)).toEqual([expect.objectContaining({ from: 'alipay', to: 'ipaynow', result: 'UNAVAILABLE' })]);
        break;
      }
      expect(o.answer.respCode).toBe('200001');
    }
    const opened = await eventually(async () => {
      const c = await workerCircuit('alipay');
      return c.state === 'open' ? c : null;
    }, 5_000, 'the alipay circuit open');
    // After the open time a probe (a poll) goes through, fails, and the circuit opens again.
    await eventually(async () => {
      const c = await workerCircuit('alipay');
      return c.state === 'open' && c.since !== opened.since ? true : null;
    }, 20_000, 'the circuit re-opened after a failed probe');
    expect(await metric(/^paydurable_channel_circuit_transitions_total\{channel="alipay",to="open"\}/)).toBeGreaterThanOrEqual(3);
    const skipped = await placeOrder(merchant);
    expect(skipped.answer.respCode).toBe('000000');
    expect(await orderOf(s.stack, skipped.orderId)).toMatchObject({ channel: 'ipaynow' });
    s.emulator.faults.gateway = [];
    await circuitIs('closed');
  });
});
