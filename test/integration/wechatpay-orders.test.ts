import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant, type TestMerchant as Merchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { callbacksOf, eventTypes, orderOf } from '../support/ipaynow';
import { postWechatpayNotify, startWechatpayStack, wechatPayer as payer, type WechatpayStack } from '../support/wechatpay';
import { findOrderByMercOrderNo, listEvents } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';
import { formatCompactTime } from '../../domain/time';
import { newKeyPair } from '../../emulator/wechatpay/crypto';
import { saveWechatpayAccount } from '../../channels/wechatpay/account-store';
import { createChannels } from '../../channels/registry';
import { createLogger } from '../../config/logger';

// WeChat Pay API v3 end to end through its emulator: real API + worker + Temporal + PostgreSQL, over HTTP both ways.
// Polling runs every 2 s, so a payment settled within a few hundred ms came through the notification (the tests check
// the source).
let s: WechatpayStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  // REFUND_QUERY_SCHEDULE 1h: a refund settles within a test only when its REFUND.* callback wakes its workflow.
  s = await startWechatpayStack({ POLL_SCHEDULE: '2s', NOTIFY_RETRY_SCHEDULE: '150ms,300ms,450ms', REFUND_QUERY_SCHEDULE: '1h' });
});
afterEach(async () => {
  s.emulator.faults.api = [];
  Object.assign(s.emulator.faults.notify, { missing: false, duplicate: false, lateMs: 0, badSignature: false });
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function placeOrder(merchant: Merchant, overrides: Record<string, string> = {}) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, paywayCode: 'wxpay', ...overrides });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  return { receiver, fields, answer: res.body, orderId: res.body.orderId! };
}

const live = () => testMerchant(s.stack.pool, { mode: 'live' });
const statusIs = (orderId: string, payStatus: string) =>
  eventually(async () => ((await orderOf(s.stack, orderId)).payStatus === payStatus ? true : null), 15_000, `order ${payStatus}`);
const paidSource = async (orderId: string) => (await listEvents(s.stack.pool, orderId)).find((e) => e.type === 'paid')?.detail.source;
const FAIL = { status: 401, code: 'FAIL' };
const failed = (r: { status: number; body: string }) => ({ status: r.status, code: (JSON.parse(r.body) as { code: string }).code });

describe('WeChat Pay scenes: the credential of each, opened and paid by the payer at the emulator', () => {
  for (const [scene, termType] of [['scan', 'wap']] as const) {
    it(`${scene}: native code_url → codeUrl + our QR image; NOTPAY until paid; paid via TRANSACTION.SUCCESS`, async () => {
      const { receiver, answer, orderId } = await placeOrder(await live(), { sceneCode: scene, termType });
      expect(answer.respCode, answer.respDesc).toBe('000000');
      expect(answer.codeUrl).toBe(`${s.emulator.url}/qr/${orderId}`);
      expect(answer.imgUrl).toMatch(new RegExp(`^${s.stack.config.api.publicBaseUrl}/qr/${orderId}\\.svg\\?k=`));
      expect(s.emulator.order(orderId)).toMatchObject({ state: 'NOTPAY', totalFen: 123, product: 'native', mchId: s.merchant.mchId });
      // A poll hears NOTPAY and the order waits.
      await eventually(async () => ((await listChannelCalls(s.stack.pool, orderId)).some((c) => c.op === 'query' && c.status === 'PENDING') ? true : null), 10_000, 'a poll');
      expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

      expect((await payer(s.emulator.url, 'scan', { outTradeNo: orderId })).body.state).toBe('NOTPAY');
      const paid = await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
      expect(paid.status).toBe(200);
      await receiver.waitFor(1);
      expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });
      // No transaction before payment: the order's channel number is its out_trade_no (our orderId).
      expect(await orderOf(s.stack, orderId)).toMatchObject({ payStatus: 'p0000', channel: 'wechatpay', channelOrderNo: orderId });
      expect(await paidSource(orderId)).toBe('callback');
      const callbacks = await callbacksOf(s.stack, orderId);
      expect(callbacks.map((c) => [c.outcome, c.signatureValid, c.signRule, c.funcode, c.statusCode])).toEqual([['accepted', true, 'WECHATPAY2-SHA256-RSA2048', 'TRANSACTION.SUCCESS', 'SUCCESS']]);
      expect(callbacks[0]!.fields).toMatchObject({ out_trade_no: orderId, 'amount.total': '123', transaction_id: paid.body.transactionId });
      expect(JSON.stringify(callbacks[0]!.fields)).not.toContain('ciphertext');
      expect(s.emulator.notifications(orderId).map((n) => [n.attempt, n.status])).toEqual([[1, 204]]);
    });
  }

  it('h5: h5_url → mwebUrl, with scene_info from ip, deviceInfo, mchAppName and mchAppId', async () => {
    const { receiver, answer, orderId } = await placeOrder(await live(), {
      sceneCode: 'h5', deviceInfo: 'WAP_SDK', mchAppName: 'Shop', mchAppId: 'https://shop.example',
    });
    expect(answer.respCode, answer.respDesc).toBe('000000');
    expect(answer.mwebUrl).toMatch(new RegExp(`^${s.emulator.url}/h5/${orderId}\\?prepay_id=wx`));
    expect(s.emulator.order(orderId)!.sceneInfo).toEqual({ payer_client_ip: '203.0.113.7', h5_info: { type: 'Wap', app_name: 'Shop', app_url: 'https://shop.example' } });
    expect((await payer(s.emulator.url, 'open', { credential: answer.mwebUrl as string })).body).toMatchObject({ ok: true, state: 'NOTPAY' });
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await paidSource(orderId)).toBe('callback');
  });

  it('app: prepay_id → payInfo for the app SDK with its own sign (verified by the emulator; a tampered one is refused)', async () => {
    const { receiver, answer, orderId } = await placeOrder(await live(), { sceneCode: 'app', termType: 'app' });
    expect(answer.respCode, answer.respDesc).toBe('000000');
    const info = JSON.parse(answer.payInfo as string) as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual(['appid', 'noncestr', 'package', 'partnerid', 'prepayid', 'sign', 'timestamp']);
    expect(info).toMatchObject({ appid: s.merchant.appId, partnerid: s.merchant.mchId, prepayid: s.emulator.order(orderId)!.prepayId, package: 'Sign=WXPay' });
    const tampered = JSON.stringify({ ...info, timestamp: String(Number(info.timestamp) + 1) });
    expect((await payer(s.emulator.url, 'open', { credential: tampered })).status).toBe(400);
    expect((await payer(s.emulator.url, 'open', { credential: answer.payInfo as string })).body).toMatchObject({ ok: true, outTradeNo: orderId });
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body).toMatchObject({ payStatus: 'p0000', orderId });
  });

  it('jspay: jsapi with the payer openid from attach → payInfo for WeixinJSBridge; without one the request is refused (400, 100001, attach) and nothing is created', async () => {
    const merchant = await live();
    const { receiver, answer, orderId } = await placeOrder(merchant, { sceneCode: 'jspay', attach: '{"wechatOpenId":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}' });
    expect(answer.respCode, answer.respDesc).toBe('000000');
    const order = s.emulator.order(orderId)!;
    expect(order).toMatchObject({ product: 'jsapi', openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
    const info = JSON.parse(answer.payInfo as string) as Record<string, string>;
    expect(info).toMatchObject({ appId: s.merchant.appId, package: `prepay_id=${order.prepayId}`, signType: 'RSA' });
    expect((await payer(s.emulator.url, 'open', { credential: answer.payInfo as string })).body).toMatchObject({ ok: true });
    expect((await payer(s.emulator.url, 'open', { credential: JSON.stringify({ ...info, package: 'prepay_id=wx0' }) })).status).toBe(404);
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');

    const fields = unifiedOrderFields({ paywayCode: 'wxpay', sceneCode: 'jspay' });
    const refused = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ respCode: '100001' });
    expect(refused.body.respDesc).toContain('wechatOpenId');
    expect(refused.body.orderId).toBeUndefined();
    expect(await findOrderByMercOrderNo(s.stack.pool, merchant.mercNo, fields.mercOrderNo!)).toBeNull();
  });
});

describe('WeChat Pay notifications', () => {
  it('forged, SIGNTEST, stale, wrongly sealed and unreadable notifications are answered 401 FAIL, not stored, change nothing', async () => {
    const { orderId } = await placeOrder(await live());
    const forger = newKeyPair();
    const bad = [
      s.emulator.notificationFor(orderId, { patch: { trade_state: 'SUCCESS' }, forgeryKey: forger.privateKey }),
      s.emulator.notificationFor(orderId, { patch: { trade_state: 'SUCCESS' }, signtest: true }),
      s.emulator.notificationFor(orderId, { patch: { trade_state: 'SUCCESS' }, timestampS: Math.floor(Date.now() / 1000) - 600 }),
      s.emulator.notificationFor(orderId, { patch: { trade_state: 'SUCCESS' }, apiV3Key: 'x'.repeat(32) }),
      { body: 'not json', headers: {} },
    ];
    for (const message of bad) expect(failed(await postWechatpayNotify(s.stack.api.url, message))).toEqual(FAIL);
    // Signed and sealed right, but a NUL in out_trade_no: refused before any lookup (PostgreSQL cannot hold it).
    const nul = s.emulator.notificationFor(orderId, { patch: { trade_state: 'SUCCESS', out_trade_no: `${orderId}\u0000` } });
    expect(failed(await postWechatpayNotify(s.stack.api.url, nul))).toEqual(FAIL);
    // The right notification with its headers stripped is refused too.
    expect(failed(await postWechatpayNotify(s.stack.api.url, { body: s.emulator.notificationFor(orderId).body, headers: {} }))).toEqual(FAIL);
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

    // The emulator's own notification signed wrongly is refused, and WeChat Pay keeps retrying it.
    s.emulator.faults.notify.badSignature = true;
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await eventually(async () => (s.emulator.notifications(orderId).length >= 2 ? true : null), 10_000, 'two refused attempts');
    expect(s.emulator.notifications(orderId).every((n) => n.status === 401)).toBe(true);
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    s.emulator.faults.notify.badSignature = false; // its next retry is signed right
    await statusIs(orderId, 'p0000');
    expect(await paidSource(orderId)).toBe('callback');
  });

  it('a verified notification of a state it cannot apply (NOTPAY) changes nothing; a replay of the genuine one is a duplicate', async () => {
    const { receiver, orderId } = await placeOrder(await live());
    expect((await postWechatpayNotify(s.stack.api.url, s.emulator.notificationFor(orderId))).status).toBe(204);
    expect((await callbacksOf(s.stack, orderId)).map((c) => [c.outcome, c.statusCode])).toEqual([['accepted', 'NOTPAY']]);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect((await postWechatpayNotify(s.stack.api.url, s.emulator.notificationFor(orderId))).status).toBe(204);
    expect((await callbacksOf(s.stack, orderId)).map((c) => c.outcome)).toEqual(['accepted', 'accepted', 'duplicate']);
    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid')).toEqual(['paid']);
  });

  it('duplicate notifications: both answered 204, the payment applied once, the second stored as a duplicate', async () => {
    s.emulator.faults.notify.duplicate = true;
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await eventually(async () => (s.emulator.notifications(orderId).filter((n) => n.acknowledged).length === 2 ? true : null), 10_000, 'both copies');
    await receiver.waitFor(1);
    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid')).toEqual(['paid']);
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

  it('a late notification of a payment already found by query is answered 204 and stored as a duplicate', async () => {
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

describe('WeChat Pay unknown results and expiry', () => {
  it('SYSTEM_ERROR and a timeout at create are UNKNOWN (200001, the order kept open); queries settle both', async () => {
    s.emulator.faults.api = [{ kind: 'system_error', op: 'native', times: 1 }];
    const first = await placeOrder(await live(), { tradeTime: formatCompactTime(Date.now() - 57_000), orderPeriod: '1' });
    expect(first.answer.respCode).toBe('200001');
    expect(s.emulator.order(first.orderId)).toBeUndefined();
    // Never created: queries hear ORDER_NOT_EXIST (not paid); at expiry the close hears it too and the order expires.
    await first.receiver.waitFor(1);
    expect(first.receiver.received[0]!.body.payStatus).toBe('p0006');

    s.emulator.faults.api = [{ kind: 'timeout', op: 'native', times: 1, delayMs: 1_500 }];
    const second = await placeOrder(await live());
    expect(second.answer.respCode).toBe('200001');
    // The emulator did create it; the payer pays; with notifications lost, a query finds the payment.
    s.emulator.faults.notify.missing = true;
    await eventually(async () => (s.emulator.order(second.orderId) ? true : null), 5_000, 'the order at the emulator');
    await payer(s.emulator.url, 'pay', { outTradeNo: second.orderId });
    await statusIs(second.orderId, 'p0000');
    expect(await paidSource(second.orderId)).toBe('poll');
  });

  it('a query answering SYSTEM_ERROR, a bad signature or nothing keeps the order open; the next clear answer settles it', async () => {
    s.emulator.faults.notify.missing = true;
    const { orderId } = await placeOrder(await live());
    s.emulator.faults.api = [
      { kind: 'system_error', op: 'query', outTradeNo: orderId, times: 1 },
      { kind: 'bad_signature', op: 'query', outTradeNo: orderId, times: 1 },
      { kind: 'timeout', op: 'query', outTradeNo: orderId, times: 1, delayMs: 1_000 },
    ];
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await statusIs(orderId, 'p0000');
    expect(s.emulator.faults.api).toEqual([]);
    const unknown = (await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op === 'query' && c.status === 'UNKNOWN');
    expect(unknown.length).toBeGreaterThanOrEqual(3);
  });

  it('expiry of an unpaid order: closed at WeChat Pay (CLOSED), p0006, and the payer can no longer pay', async () => {
    const { receiver, answer, orderId } = await placeOrder(await live(), { tradeTime: formatCompactTime(Date.now() - 58_000), orderPeriod: '1' });
    expect(answer.respCode).toBe('000000');
    await receiver.waitFor(1);
    expect(receiver.received[0]!.body.payStatus).toBe('p0006');
    expect(s.emulator.order(orderId)!.state).toBe('CLOSED');
    expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(409);
  });
});

describe('WeChat Pay accounts and refunds', () => {
  it('a merchant with its own account in public-key mode: keys sealed at rest; requests, answers and notifications verify', async () => {
    const merchant = await live();
    const own = s.emulator.createMerchant('publicKey');
    expect(own.platformSerial).toMatch(/^PUB_KEY_ID_/);
    await saveWechatpayAccount(s.stack.pool, s.stack.config.secrets.keyring, {
      mercNo: merchant.mercNo, mchId: own.mchId, appId: own.appId, serialNo: own.serialNo, privateKey: own.privateKey, apiV3Key: own.apiV3Key,
      platformKeys: [{ serial: own.platformSerial, publicKey: own.platformPublicKey }], baseUrl: null,
    });
    const { rows } = await s.stack.pool.query<{ private_key: string; api_v3_key: string }>('SELECT private_key, api_v3_key FROM wechatpay_accounts WHERE merc_no = $1', [merchant.mercNo]);
    expect(rows[0]!.private_key).not.toContain('PRIVATE KEY');
    expect(rows[0]!.api_v3_key).not.toBe(own.apiV3Key);
    const { receiver, orderId } = await placeOrder(merchant);
    expect(s.emulator.order(orderId)!.mchId).toBe(own.mchId);
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    expect(await paidSource(orderId)).toBe('callback');
    expect(s.emulator.notifications(orderId).map((n) => n.status)).toEqual([204]);
  });

  it('refund and refund query of a paid order, idempotent per refund id; REFUND.SUCCESS is verified, recorded and acknowledged', async () => {
    const { receiver, orderId } = await placeOrder(await live());
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    const wechatpay = createChannels({ pool: s.stack.pool, config: s.stack.config, log: createLogger('silent', 'test') }).registry.wechatpay;
    expect(await wechatpay.refund({ orderId, refundId: `${orderId}R1`, amountFen: 100 })).toEqual({ status: 'PENDING' });
    expect(await wechatpay.refund({ orderId, refundId: `${orderId}R1`, amountFen: 99 })).toMatchObject({ status: 'FAIL' });
    expect(await wechatpay.refund({ orderId, refundId: `${orderId}R2`, amountFen: 24 })).toMatchObject({ status: 'FAIL' });
    await eventually(async () => ((await wechatpay.queryRefund({ orderId, refundId: `${orderId}R1` })).status === 'SUCCESS' ? true : null), 5_000, 'refund done');
    expect(await wechatpay.queryRefund({ orderId, refundId: `${orderId}R1` })).toMatchObject({ status: 'SUCCESS', amountFen: 100 });
    expect(await wechatpay.refund({ orderId, refundId: `${orderId}R1`, amountFen: 100 })).toMatchObject({ status: 'SUCCESS', amountFen: 100 });
    expect(await wechatpay.queryRefund({ orderId, refundId: `${orderId}R9` })).toMatchObject({ status: 'FAIL' });
    expect([...s.emulator.order(orderId)!.refunds.keys()]).toEqual([`${orderId}R1`]);
    // The order stays paid (trade_state REFUND is a paid order); a refund callback about no refund of ours is only stored.
    await eventually(async () => (s.emulator.notifications(orderId).some((n) => n.eventType === 'REFUND.SUCCESS' && n.status === 204) ? true : null), 5_000, 'REFUND.SUCCESS');
    const refundRow = (await callbacksOf(s.stack, orderId)).find((c) => c.funcode === 'REFUND.SUCCESS');
    expect(refundRow).toMatchObject({ outcome: 'accepted', statusCode: 'SUCCESS', reason: `refund ${orderId}R1 SUCCESS: unknown refund` });
    expect(refundRow!.fields).toMatchObject({ out_refund_no: `${orderId}R1`, 'amount.refund': '100' });
    expect(await wechatpay.query({ orderId })).toMatchObject({ status: 'SUCCESS', amountFen: 123 });
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');
  });
  it('a refund through the merchant API is settled by its REFUND.SUCCESS callback: the callback wakes the refund workflow, whose query decides', async () => {
    const merchant = await live();
    const { receiver, orderId, fields } = await placeOrder(merchant);
    await payer(s.emulator.url, 'pay', { outTradeNo: orderId });
    await receiver.waitFor(1);
    const mercRefundNo = `WR${Date.now()}`;
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo: fields.mercOrderNo!, mercRefundNo, refundAmt: '0.50' });
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const refundId = res.body.refundId!;
    // WeChat answers PROCESSING; the next scheduled query is an hour away, so only the callback can settle it now.
    const settled = await eventually(async () => {
      const q = await merchantCall(s.stack.api.url, '/api/refund/query', merchant, { mercRefundNo });
      return q.body.refundStatus === 'r0000' ? q.body : null;
    }, 15_000, 'refund r0000');
    expect(settled).toMatchObject({ refundId, refundAmt: '0.50' });
    expect([...s.emulator.order(orderId)!.refunds.keys()]).toEqual([refundId]);
    const row = (await callbacksOf(s.stack, orderId)).find((c) => c.funcode === 'REFUND.SUCCESS');
    expect(row).toMatchObject({ outcome: 'accepted', reason: `refund ${refundId} SUCCESS: handed to its workflow` });
    await eventually(async () => (receiver.forOrder(refundId).length > 0 ? true : null), 15_000, 'refund notification');
    expect(receiver.forOrder(refundId)[0]!.body).toMatchObject({ notifyType: 'refund', refundStatus: 'r0000' });
  });
});
