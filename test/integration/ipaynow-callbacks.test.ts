import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, inMode, merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import {
  callbacksOf, eventTypes, orderOf, PLATFORM_APP_ID, PLATFORM_APP_KEY, payAtEmulator, postNotify, startIpaynowStack, type IpaynowStack,
} from '../support/ipaynow';
import { listEvents } from '../../db/orders';
import { listAttempts } from '../../db/notify-attempts';
import { saveIpaynowAccount } from '../../channels/ipaynow/account-store';
import { setChannelRoute } from '../../db/channel-routes';
import { formatCompactTime } from '../../domain/time';
import { emulatorSign } from '../../emulator/ipaynow/sign';
import type { TestMerchant as Merchant } from '../support/stack-core';

// IPayNow end to end through the emulator: real API + worker + Temporal + PostgreSQL. Polling is slow here (60 s), so
// whatever settles an order within a test came through N001.
let s: IpaynowStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startIpaynowStack({ POLL_SCHEDULE: '60s', NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms' });
});
afterEach(async () => {
  s.emulator.controls.resetFaults();
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function placeOrder(merchant: Merchant, overrides: Record<string, string> = {}) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, ...overrides });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  return { receiver, fields, answer: res.body, orderId: res.body.orderId! };
}

/** paydurable_channel_callbacks_unverified_total{channel="ipaynow",reason} from the API's /metrics. */
async function unverifiedCount(reason: string): Promise<number> {
  const text = await (await fetch(`${s.stack.api.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`paydurable_channel_callbacks_unverified_total{channel="ipaynow",reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function lastCallbackId(): Promise<number> {
  const { rows } = await s.stack.pool.query<{ id: string | null }>('SELECT max(id) AS id FROM channel_callbacks');
  return Number(rows[0]!.id ?? 0);
}

const statusIs = (orderId: string, payStatus: string) =>
  eventually(async () => ((await orderOf(s.stack, orderId)).payStatus === payStatus ? true : null), 15_000, `order ${payStatus}`);

describe('IPayNow N001 callbacks', () => {
  it('paid via N001: WP001 credential, the payer pays, N001 answered success=Y, the merchant is notified', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, answer, orderId } = await placeOrder(merchant);
    const emulated = s.emulator.controls.order(orderId)!;
    expect(answer.codeUrl).toBe(`${s.emulator.url}/cashier/${emulated.nowPayOrderNo}`);
    expect(answer.imgUrl).toMatch(new RegExp(`^${s.stack.config.api.publicBaseUrl}/qr/${orderId}\\.svg\\?k=[\\w-]{32}$`));
    const qr = await fetch(answer.imgUrl!);
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toContain('image/svg+xml');
    expect(emulated).toMatchObject({ mhtOrderAmt: '123', deviceType: '08', payChannelType: '12', appId: PLATFORM_APP_ID });

    expect((await payAtEmulator(s.emulator.url, orderId)).status).toBe(200);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });
    const order = await orderOf(s.stack, orderId);
    expect(order).toMatchObject({ payStatus: 'p0000', channel: 'ipaynow', channelOrderNo: emulated.nowPayOrderNo, latePayment: false });
    const paid = (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'paid');
    expect(paid?.detail).toMatchObject({ source: 'callback' });
    const callbacks = await callbacksOf(s.stack, orderId);
    expect(callbacks.map((c) => [c.outcome, c.signatureValid, c.signRule, c.statusCode])).toEqual([['accepted', true, 'new', 'A001']]);
    expect(callbacks[0]!.fields).not.toHaveProperty('signature');
    expect(s.emulator.controls.notifications(orderId).map((n) => [n.attempt, n.answer])).toEqual([[1, 'success=Y']]);
  });

  it('ten concurrent copies of the same N001: one transition, one merchant notification sequence', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant);
    s.emulator.controls.setFaults({ notify: { copies: 10 } });
    s.emulator.controls.pay(orderId);
    // Every copy is eventually acknowledged (copies answered "come again" are retried on IPayNow's scaled schedule).
    await eventually(async () => {
      const acked = new Set(s.emulator.controls.notifications(orderId).filter((n) => n.acknowledged).map((n) => n.copy));
      return acked.size === 10 ? true : null;
    }, 20_000, 'all ten copies acknowledged');
    await eventually(async () => ((await orderOf(s.stack, orderId)).notifyState === 'delivered' ? true : null), 10_000, 'delivered');

    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid' || t === 'late_payment')).toEqual(['paid']);
    expect(receiver.forOrder(orderId)).toHaveLength(1);
    expect((await listAttempts(s.stack.pool, orderId)).map((a) => [a.payStatus, a.attempt])).toEqual([['p0000', 1]]);
    const outcomes = (await callbacksOf(s.stack, orderId)).map((c) => c.outcome);
    expect(outcomes.filter((o) => o === 'accepted')).toHaveLength(1);
    expect(outcomes.every((o) => ['accepted', 'duplicate', 'retry'].includes(o))).toBe(true);
    expect(outcomes.filter((o) => o !== 'retry')).toHaveLength(10);

    // The same notification much later (the workflow has finished): still a duplicate that changes nothing.
    await s.stack.client.workflow.getHandle((await orderOf(s.stack, orderId)).workflowId).result();
    s.emulator.controls.resendNotification(orderId);
    await eventually(async () => (s.emulator.controls.notifications(orderId).length > outcomes.length ? true : null), 10_000, 'resent');
    expect(s.emulator.controls.notifications(orderId).at(-1)!.answer).toBe('success=Y');
    expect((await callbacksOf(s.stack, orderId)).at(-1)).toMatchObject({ outcome: 'duplicate', reason: 'order already paid' });
    expect(receiver.forOrder(orderId)).toHaveLength(1);
  });

  it('a wrongly signed N001 is refused (success=N, counted, not stored) and the order is unaffected; the corrected retry pays', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant);
    const before = await unverifiedCount('unverified');
    s.emulator.controls.setFaults({ badSignature: { notify: true } });
    s.emulator.controls.pay(orderId);
    await eventually(async () => (s.emulator.controls.notifications(orderId).length >= 2 ? true : null), 10_000, 'two refused attempts');
    expect(s.emulator.controls.notifications(orderId).every((n) => n.answer === 'success=N')).toBe(true);
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    expect(await unverifiedCount('unverified')).toBeGreaterThanOrEqual(before + 2);
    const order = await orderOf(s.stack, orderId);
    expect(order.payStatus).toBe('p0002');
    expect(await eventTypes(s.stack, orderId)).toEqual(['created', 'channel_created']);
    expect(receiver.received).toHaveLength(0);

    s.emulator.controls.resetFaults(); // IPayNow's next retry is signed correctly
    await statusIs(orderId, 'p0000');
    await receiver.waitFor(1);
    expect(await callbacksOf(s.stack, orderId)).toEqual([expect.objectContaining({ outcome: 'accepted', signatureValid: true })]);
  });

  it('accepts the 2016–17 bodies: tradeStatus instead of transStatus, signed with the OLD rule', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant, { paywayCode: 'wxpay', sceneCode: 'jspay' });
    s.emulator.controls.setFaults({ legacyFormat: true });
    s.emulator.controls.pay(orderId);
    await receiver.waitFor(1);
    const [cb] = await callbacksOf(s.stack, orderId);
    expect(cb).toMatchObject({ outcome: 'accepted', signRule: 'old', statusCode: 'A001' });
    expect(cb!.fields).toHaveProperty('tradeStatus', 'A001');
  });

  it('a stale N001 (an earlier state) arriving after the payment changes nothing', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { receiver, orderId } = await placeOrder(merchant);
    s.emulator.controls.setFaults({ notify: { staleAfter: true } });
    s.emulator.controls.pay(orderId);
    await eventually(async () => (s.emulator.controls.notifications(orderId).some((n) => n.transStatus === 'A004' && n.acknowledged) ? true : null), 10_000, 'stale N001');
    await receiver.waitFor(1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');
    expect((await callbacksOf(s.stack, orderId)).map((c) => [c.statusCode, c.outcome])).toEqual([['A001', 'accepted'], ['A004', 'accepted']]);
    expect(receiver.forOrder(orderId)).toHaveLength(1);
  });

  it('a payment IPayNow takes after our expiry: p0006 notified, then p0000 flagged late_payment, merchant notified', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    // orderPeriod is in minutes: a tradeTime 58 s ago with a 1-minute period expires in about 2 s; IPayNow keeps the
    // order open for at least 60 s (the shortest mhtOrderTimeOut it takes).
    const { receiver, orderId } = await placeOrder(merchant, { tradeTime: formatCompactTime(Date.now() - 58_000), orderPeriod: '1' });
    expect(s.emulator.controls.order(orderId)!.mhtOrderTimeOut).toBe(60);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0006');
    await eventually(async () => ((await orderOf(s.stack, orderId)).notifyState === 'delivered' ? true : null), 10_000, 'p0006 delivered');
    expect(s.emulator.controls.order(orderId)!.transStatus).toBe('A004'); // no close at IPayNow

    expect((await payAtEmulator(s.emulator.url, orderId)).status).toBe(200);
    await receiver.waitFor(2);
    expect(receiver.received[1]!.body.payStatus).toBe('p0000');
    expect(await orderOf(s.stack, orderId)).toMatchObject({ payStatus: 'p0000', latePayment: true });
    const events = await eventTypes(s.stack, orderId);
    expect(events).toContain('expired');
    expect(events).toContain('late_payment');
    expect((await callbacksOf(s.stack, orderId)).map((c) => c.outcome)).toEqual(['accepted']);
  });

  it('answers success=N (HTTP 200, never 5xx) to malformed, unknown-order and hostile bodies, counts why and stores none', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId } = await placeOrder(merchant);
    const signedFor = (fields: Record<string, string>, key: string) => new URLSearchParams({ ...fields, signType: 'MD5', signature: emulatorSign({ ...fields, signType: 'MD5' }, key) }).toString();
    const n001 = { funcode: 'N001', appId: PLATFORM_APP_ID, mhtOrderNo: orderId, mhtOrderAmt: '123', transStatus: 'A001' };
    const bodies: [string, string | Uint8Array, string, string][] = [
      ['empty', '', 'text/plain', 'unreadable'],
      ['not a form', 'hello', 'text/plain', 'unreadable'],
      ['broken escape', 'funcode=N001&mhtOrderNo=%zz', 'application/x-www-form-urlencoded', 'unreadable'],
      ['not UTF-8', new Uint8Array([0x66, 0x3d, 0xff, 0xfe]), 'application/octet-stream', 'unreadable'],
      ['NUL', 'funcode=N001&mhtOrderNo=1%00', 'application/x-www-form-urlencoded', 'unreadable'],
      ['JSON', JSON.stringify(n001), 'application/json', 'unreadable'],
      ['duplicate key', 'mhtOrderNo=1&mhtOrderNo=2', 'application/x-www-form-urlencoded', 'unreadable'],
      ['too large', `a=${'x'.repeat(20_000)}`, 'application/x-www-form-urlencoded', 'unreadable'],
      ['no order', signedFor({ ...n001, mhtOrderNo: '' }, PLATFORM_APP_KEY), 'application/x-www-form-urlencoded', 'unknown_order'],
      ['unknown order', signedFor({ ...n001, mhtOrderNo: '20990101000000999' }, PLATFORM_APP_KEY), 'application/x-www-form-urlencoded', 'unknown_order'],
      ['wrong key', signedFor(n001, 'not-the-key'), 'text/plain', 'unverified'],
      ['wrong app', signedFor({ ...n001, appId: 'SOMEONE-ELSE' }, PLATFORM_APP_KEY), 'text/plain', 'unverified'],
      ['wrong funcode', signedFor({ ...n001, funcode: 'N002' }, PLATFORM_APP_KEY), 'text/plain', 'unverified'],
    ];
    const reasons = ['unreadable', 'unknown_order', 'unverified'];
    const before = Object.fromEntries(await Promise.all(reasons.map(async (r) => [r, await unverifiedCount(r)] as const)));
    const lastId = await lastCallbackId();
    for (const [name, body, type] of bodies) {
      const res = await postNotify(s.stack.api.url, body, type);
      expect([name, res.status, res.text]).toEqual([name, 200, 'success=N']);
    }
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    expect(await lastCallbackId()).toBe(lastId); // nothing stored: not for the order, not at all
    for (const r of reasons) {
      expect([r, await unverifiedCount(r)]).toEqual([r, before[r]! + bodies.filter((b) => b[3] === r).length]);
    }
  });

  it('routing and credentials per merchant: own IPayNow app; live orders never reach the sandbox, test orders always do', async () => {
    const own = await testMerchant(s.stack.pool, { mode: 'live' });
    s.emulator.controls.addApp('MERCHANTAPP00001', 'merchant-own-key');
    await saveIpaynowAccount(s.stack.pool, s.stack.config.secrets.keyring, { mercNo: own.mercNo, appId: 'MERCHANTAPP00001', appKey: 'merchant-own-key', baseUrl: null });
    // Stored sealed under the master key, not as plaintext.
    const stored = await s.stack.pool.query<{ app_key: string }>('SELECT app_key FROM ipaynow_accounts WHERE merc_no = $1', [own.mercNo]);
    expect(stored.rows[0]!.app_key).toMatch(/^pdk1:t1:/);
    expect(stored.rows[0]!.app_key).not.toContain('merchant-own-key');
    const placed = await placeOrder(own, { sceneCode: 'h5', paywayCode: 'alipay' });
    expect(placed.answer.mwebUrl).toContain(s.emulator.url);
    expect(s.emulator.controls.order(placed.orderId)).toMatchObject({ appId: 'MERCHANTAPP00001', deviceType: '0601' });
    s.emulator.controls.pay(placed.orderId);
    await placed.receiver.waitFor(1);
    expect((await callbacksOf(s.stack, placed.orderId))[0]).toMatchObject({ outcome: 'accepted', signatureValid: true });

    // A route to the sandbox does not make live orders sandbox orders: refused 200002, nothing created.
    const mixed = await testMerchant(s.stack.pool, { mode: 'live' });
    await setChannelRoute(s.stack.pool, mixed.mercNo, 'wxpay', 'sandbox');
    const refused = await merchantCall(s.stack.api.url, '/api/pay', mixed, unifiedOrderFields({ paywayCode: 'wxpay' }));
    expect(refused.body).toMatchObject({ respCode: '200002' });
    expect(refused.body.respDesc).toContain('never reach the sandbox');
    const ali = await placeOrder(mixed, { paywayCode: 'alipay' });
    expect(ali.answer.codeUrl).toContain(s.emulator.url);
    expect(ali.answer.livemode).toBe('true');
    // The same merchant's test key: the sandbox, whatever the routes say.
    const test = await placeOrder(inMode(mixed, 'test'), { paywayCode: 'unionpay' });
    expect(test.answer.codeUrl).toContain('/sandbox/cashier/');
    expect(test.answer.livemode).toBe('false');
    expect(await orderOf(s.stack, test.orderId)).toMatchObject({ channel: 'sandbox', livemode: false });
  });

});
