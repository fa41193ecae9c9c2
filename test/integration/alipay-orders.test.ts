import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant, type TestMerchant as Merchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { callbacksOf, eventTypes, orderOf } from '../support/ipaynow';
import { payer, postAlipayNotify, startAlipayStack, type AlipayStack } from '../support/alipay';
import { findOrderByMercOrderNo, listEvents } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';
import { formatCompactTime } from '../../domain/time';
import { contentOf, newKeyPair, rsa2Sign } from '../../emulator/alipay/rsa';
import { alipayTime } from '../../emulator/alipay/notifier';
import { saveAlipayAccount } from '../../channels/alipay/account-store';
import { createChannels } from '../../channels/registry';
import { createLogger } from '../../config/logger';

// Alipay end to end through its emulator: real API + worker + Temporal + PostgreSQL, over HTTP both ways. Polling runs
// every 2 s, so a payment settled within a few hundred ms came through the notification (the tests check the source).
let s: AlipayStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startAlipayStack({ POLL_SCHEDULE: '2s', NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms' });
});
afterEach(async () => {
  s.emulator.faults.gateway = [];
  Object.assign(s.emulator.faults.notify, { missing: false, duplicate: false, lateMs: 0, badSignature: false });
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function placeOrder(merchant: Merchant, overrides: Record<string, string> = {}) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, paywayCode: 'alipay', ...overrides });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  return { receiver, fields, answer: res.body, orderId: res.body.orderId! };
}

const live = () => testMerchant(s.stack.pool, { mode: 'live' });
const statusIs = (orderId: string, payStatus: string) =>
  eventually(async () => ((await orderOf(s.stack, orderId)).payStatus === payStatus ? true : null), 15_000, `order ${payStatus}`);
const paidSource = async (orderId: string) => (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'paid')?.detail.source;

describe('Alipay scenes: the credential of each, opened and paid by the payer at the emulator', () => {
  it('scan: precreate qr_code → codeUrl + our QR image; TRADE_NOT_EXIST until scanned; paid via the notification', async () => {
    const { receiver, answer, orderId } = await placeOrder(await live(), { sceneCode: 'scan' });
    expect(answer.respCode, answer.respDesc).toBe('000000');
    expect(answer.codeUrl).toBe(`${s.emulator.url}/qr/${orderId}`);
    expect(answer.imgUrl).toMatch(new RegExp(`^${s.stack.config.api.publicBaseUrl}/qr/${orderId}\\.svg\\?k=`));
    expect(s.emulator.trade(orderId)).toMatchObject({ state: 'NOT_SCANNED', totalAmount: '1.23', appId: s.app.appId });
    // A poll hears TRADE_NOT_EXIST (nothing scanned yet) and the order waits.
    await eventually(async () => ((await listChannelCalls(s.stack.pool, orderId)).some((c) => c.op === 'query' && c.status === 'PENDING') ? true : null), 10_000, 'a poll');
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

    expect((await payer(s.emulator.url, 'scan', { outTradeNo: orderId })).body.state).toBe('WAIT_BUYER_PAY');
    expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(200);
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });
    // Alipay has no trade before the scan: the order's channel number is its out_trade_no (our orderId).
    expect(await orderOf(s.stack, orderId)).toMatchObject({ payStatus: 'p0000', channel: 'alipay', channelOrderNo: orderId });
    expect(await paidSource(orderId)).toBe('callback');
    const callbacks = await callbacksOf(s.stack, orderId);
    expect(callbacks.map((c) => [c.outcome, c.signatureValid, c.signRule, c.statusCode])).toEqual([['accepted', true, 'RSA2', 'TRADE_SUCCESS']]);
    expect(callbacks[0]!.fields).not.toHaveProperty('sign');
    expect(s.emulator.notifications(orderId).map((n) => [n.attempt, n.answer])).toEqual([[1, 'success']]);
  });

  for (const [scene, termType, field] of [['h5', 'wap', 'mwebUrl'], ['gateway', 'pc', 'resultHtml'], ['app', 'app', 'payInfo']] as const) {
    it(`${scene}: the signed ${field} opens at the emulator (its own RSA code verifies the SDK's signature) and is paid`, async () => {
      const { receiver, answer, orderId } = await placeOrder(await live(), { sceneCode: scene, termType });
      expect(answer.respCode, answer.respDesc).toBe('000000');
      const credential = answer[field] as string;
      if (scene === 'h5') expect(credential).toMatch(new RegExp(`^${s.emulator.gatewayUrl}\\?.*method=alipay\\.trade\\.wap\\.pay`));
      if (scene === 'gateway') expect(credential).toMatch(/<form[^>]+method="post"[\s\S]*document\.forms\[/);
      if (scene === 'app') expect(credential).toMatch(/(^|&)method=alipay\.trade\.app\.pay(&|$)/);
      // Tampered: the emulator refuses it.
      expect((await payer(s.emulator.url, 'open', { credential: credential.replace('1.23', '0.01') })).status).toBe(400);
      expect((await payer(s.emulator.url, 'open', { credential })).body).toMatchObject({ ok: true, state: 'WAIT_BUYER_PAY', outTradeNo: orderId });
      expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(200);
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });
      expect(await paidSource(orderId)).toBe('callback');
    });
  }

  it('jspay: alipay.trade.create with the buyer id from attach → payInfo {tradeNO}; without one the request is refused (400, 100001, attach)', async () => {
    const merchant = await live();
    const { receiver, answer, orderId } = await placeOrder(merchant, { sceneCode: 'jspay', attach: '{"alipayBuyerId":"2088000000000042"}' });
    expect(answer.respCode, answer.respDesc).toBe('000000');
    const trade = s.emulator.trade(orderId)!;
    expect(trade).toMatchObject({ state: 'WAIT_BUYER_PAY', buyerId: '2088000000000042', method: 'alipay.trade.create' });
    expect(JSON.parse(answer.payInfo as string)).toEqual({ tradeNO: trade.tradeNo });
    expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(200);
    await receiver.waitFor(1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');

    for (const attach of [undefined, '{"alipayBuyerId":"42"}', 'not json']) {
      const fields = unifiedOrderFields({ paywayCode: 'alipay', sceneCode: 'jspay', ...(attach ? { attach } : {}) });
      const refused = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ respCode: '100001' });
      expect(refused.body.respDesc).toContain('attach');
      expect(refused.body.orderId).toBeUndefined();
      // Nothing was created: the same mercOrderNo, fixed, is a new order.
      expect(await findOrderByMercOrderNo(s.stack.pool, merchant.mercNo, fields.mercOrderNo!)).toBeNull();
    }
  });
});

describe('Alipay notifications', () => {
  it('a forged notification (another key) is answered fail, not stored, and changes nothing; the genuine one is applied', async () => {
    const { orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'scan', { outTradeNo: orderId });
    const forger = newKeyPair();
    const fields: Record<string, string> = {
      notify_type: 'trade_status_sync', notify_time: alipayTime(Date.now()), app_id: s.app.appId, sign_type: 'RSA2',
      out_trade_no: orderId, trade_no: '2026000000009999', trade_status: 'TRADE_SUCCESS', total_amount: '1.23', gmt_payment: alipayTime(Date.now()),
    };
    const forged = new URLSearchParams({ ...fields, sign: rsa2Sign(contentOf(fields, true), forger.privateKey) }).toString();
    expect(await postAlipayNotify(s.stack.api.url, forged)).toEqual({ status: 200, text: 'fail' });
    expect(await postAlipayNotify(s.stack.api.url, 'not=a&not=form')).toEqual({ status: 200, text: 'fail' });
    // The one callback route serves channels that have callbacks, and nothing else.
    for (const name of ['sandbox', 'paypal']) expect((await fetch(`${s.stack.api.url}/channels/${name}/notify`, { method: 'POST', body: forged })).status).toBe(404);
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

    // The emulator's own notification signed wrongly is refused too, and Alipay keeps retrying it.
    s.emulator.faults.notify.badSignature = true;
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await eventually(async () => (s.emulator.notifications(orderId).length >= 2 ? true : null), 10_000, 'two refused attempts');
    expect(s.emulator.notifications(orderId).every((n) => n.answer === 'fail')).toBe(true);
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    s.emulator.faults.notify.badSignature = false; // its next retry is signed right
    await statusIs(orderId, 'p0000');
  });

  it('duplicate notifications: both answered success, the payment applied once, the second stored as a duplicate', async () => {
    s.emulator.faults.notify.duplicate = true;
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await eventually(async () => (s.emulator.notifications(orderId).filter((n) => n.acknowledged).length === 2 ? true : null), 10_000, 'both copies');
    await receiver.waitFor(1);
    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid')).toEqual(['paid']);
    // Exactly one receipt handed the payment over; the other copy was a duplicate (or, arriving while the first was
    // being handed over, was told to come again — `fail`, a `retry` row — and was a duplicate on its retry).
    const outcomes = (await callbacksOf(s.stack, orderId)).map((c) => c.outcome);
    expect(outcomes.filter((o) => o === 'accepted')).toEqual(['accepted']);
    expect(outcomes.filter((o) => o === 'duplicate')).toEqual(['duplicate']);
    expect(outcomes.every((o) => ['accepted', 'duplicate', 'retry'].includes(o))).toBe(true);
    expect(receiver.forOrder(orderId)).toHaveLength(1);
  });

  it('no notification at all: the payment is found by querying (query-only discovery)', async () => {
    s.emulator.faults.notify.missing = true;
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await paidSource(orderId)).toBe('poll');
    expect(s.emulator.notifications(orderId)).toEqual([]);
  });

  it('a late notification of a payment already found by query is answered success and stored as a duplicate', async () => {
    s.emulator.faults.notify.lateMs = 3_500;
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await paidSource(orderId)).toBe('poll');
    await eventually(async () => (s.emulator.notifications(orderId).some((n) => n.acknowledged) ? true : null), 10_000, 'the late notification');
    expect((await callbacksOf(s.stack, orderId)).map((c) => c.outcome)).toEqual(['duplicate']);
    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid')).toEqual(['paid']);
  });
});

describe('Alipay unknown results and expiry', () => {
  it('ACQ.SYSTEM_ERROR and a timeout at precreate are UNKNOWN (200001, the order kept open); queries settle it', async () => {
    s.emulator.faults.gateway = [{ kind: 'system_error', method: 'alipay.trade.precreate', times: 1 }];
    const first = await placeOrder(await live());
    expect(first.answer.respCode).toBe('200001');
    expect((await orderOf(s.stack, first.orderId)).payStatus).not.toBe('p0004');

    s.emulator.faults.gateway = [{ kind: 'timeout', method: 'alipay.trade.precreate', times: 1, delayMs: 1_500 }];
    const second = await placeOrder(await live());
    expect(second.answer.respCode).toBe('200001');
    // The emulator did create it; the payer pays; with notifications lost, a query finds the payment.
    s.emulator.faults.notify.missing = true;
    await eventually(async () => (s.emulator.trade(second.orderId) ? true : null), 5_000, 'the trade at the emulator');
    await payer(s.emulator.url, 'pay', { outTradeNo: second.orderId });
    await statusIs(second.orderId, 'p0000');
    expect(await paidSource(second.orderId)).toBe('poll');
  });

  it('a query answering 20000 or ACQ.SYSTEM_ERROR keeps the order open; the next clear answer settles it', async () => {
    s.emulator.faults.notify.missing = true;
    const { orderId } = await placeOrder(await live());
    s.emulator.faults.gateway = [
      { kind: 'unavailable', method: 'alipay.trade.query', times: 1 },
      { kind: 'system_error', method: 'alipay.trade.query', times: 1 },
      { kind: 'bad_signature', method: 'alipay.trade.query', times: 1 },
    ];
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await statusIs(orderId, 'p0000');
    expect(s.emulator.faults.gateway).toEqual([]);
  });

  it('expiry of a scanned, unpaid order: closed at Alipay (TRADE_CLOSED), p0006, and the payer can no longer pay', async () => {
    const { receiver, answer, orderId } = await placeOrder(await live(), { tradeTime: formatCompactTime(Date.now() - 58_000), orderPeriod: '1' });
    expect(answer.respCode).toBe('000000');
    await payer(s.emulator.url, 'scan', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0006');
    expect(s.emulator.trade(orderId)!.state).toBe('TRADE_CLOSED');
    expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(409);
  });
});

describe('Alipay accounts and refunds', () => {
  it('a merchant with its own application: orders are made with it, its key sealed at rest; notifications verify with it', async () => {
    const merchant = await live();
    const own = s.emulator.createApp();
    await saveAlipayAccount(s.stack.pool, s.stack.config.secrets.keyring, { mercNo: merchant.mercNo, ...own, gatewayUrl: null });
    const { rows } = await s.stack.pool.query<{ private_key: string }>('SELECT private_key FROM alipay_accounts WHERE merc_no = $1', [merchant.mercNo]);
    expect(rows[0]!.private_key).not.toContain('PRIVATE KEY');
    const { receiver, orderId } = await placeOrder(merchant);
    expect(s.emulator.trade(orderId)!.appId).toBe(own.appId);
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await paidSource(orderId)).toBe('callback');
  });

  it('refund and refund query of a paid order at Alipay, idempotent per refund id', async () => {
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    const alipay = createChannels({ pool: s.stack.pool, config: s.stack.config, log: createLogger('silent', 'test') }).registry.alipay;
    expect(await alipay.refund({ orderId, refundId: `${orderId}R1`, amountFen: 100 })).toMatchObject({ status: 'SUCCESS', amountFen: 100 });
    expect(await alipay.refund({ orderId, refundId: `${orderId}R1`, amountFen: 100 })).toMatchObject({ status: 'SUCCESS', amountFen: 100 });
    expect(await alipay.refund({ orderId, refundId: `${orderId}R2`, amountFen: 24 })).toMatchObject({ status: 'FAIL' });
    expect(await alipay.queryRefund({ orderId, refundId: `${orderId}R1` })).toMatchObject({ status: 'SUCCESS', amountFen: 100 });
    expect(await alipay.queryRefund({ orderId, refundId: `${orderId}R9` })).toMatchObject({ status: 'FAIL' });
    expect([...s.emulator.trade(orderId)!.refunds.keys()]).toEqual([`${orderId}R1`]);
  });
});
