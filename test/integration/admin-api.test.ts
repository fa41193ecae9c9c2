import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually, merchantCall, payInSandbox, startStack, TEST_ADMIN_OPERATOR, TEST_ADMIN_TOKEN, TEST_OPERATOR_TOKEN, testMerchant,
  type TestStack,
} from '../support/stack';
import { adminCall, type AdminErrorAnswer } from '../support/admin-api';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { paidSandboxOrder, refundCall } from '../support/refunds';
import { orderReaches, payoutCall, payoutFields } from '../support/payouts';
import { findPayout } from '../../db/payouts';
import { supportCall } from '../support/support-call';
import { startIpaynowEmulator, type IpaynowEmulator } from '../../emulator/ipaynow';
import { findOrderById } from '../../db/orders';
import { listAdminAudit } from '../../db/admin-audit';
import { findMerchant, setMerchantStatus } from '../../db/merchants';
import { changeMerchant } from '../../merchants/admin-change';
import { createMerchantAccount } from '../../merchants/create-merchant';

// The admin API (/admin/v1 on the admin listener) end to end: real HTTP, the real API + worker over Temporal and
// PostgreSQL, the sandbox and the IPayNow emulator, a real merchant notification endpoint.
let stack: TestStack;
let emulator: IpaynowEmulator;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  emulator = await startIpaynowEmulator({ apps: {}, notifyScale: 0.001 });
  stack = await startStack({ IPAYNOW_TIMEOUT: '2s' });
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await stack?.stop();
  await emulator?.stop();
});

const admin = <T = Record<string, unknown>>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, token?: string | null) =>
  adminCall<T>(stack.api.adminUrl, method, path, { ...(body !== undefined ? { body } : {}), ...(token !== undefined ? { token } : {}) });

let seq = 0;
const newMercNo = () => `ADM${Date.now().toString(36).toUpperCase()}${(seq++).toString(36).toUpperCase()}`;

interface Created {
  merchant: { mercNo: string; status: string; signTypes: string[]; keys: { keyId: string; mode: string }[] };
  liveKey: string;
  testKey: string;
  actor: string;
}

/** Creates a merchant through the admin API; returns it as the merchant API's tests sign with it (test key by default). */
async function createdMerchant(extra: Record<string, unknown> = {}) {
  const mercNo = newMercNo();
  const res = await admin<Created>('POST', '/admin/v1/merchants', { mercNo, name: 'Admin-made shop', signTypes: ['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW'], ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { mercNo, signKey: res.body.testKey, keys: { live: res.body.liveKey, test: res.body.testKey }, answer: res };
}

async function receiver(script?: ConstructorParameters<typeof MerchantReceiver>[0]) {
  const r = await new MerchantReceiver(script).start();
  receivers.push(r);
  return r;
}

const channelOrderNoOf = (payUrl: string) => decodeURIComponent(new URL(payUrl).pathname.split('/').pop()!);
const lookup = (m: { mercNo: string; signKey: string }) => merchantCall(stack.api.url, '/api/query', m, { orderId: '20250101000000000001' });

describe('admin API: merchants', () => {
  it('creates a merchant whose returned test key pays and is notified; the keys are shown once and audited without them', async () => {
    const m = await createdMerchant({ notifyScheduleMs: [100] });
    const created = m.answer;
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('location')).toBe(`/admin/v1/merchants/${m.mercNo}`);
    expect(created.body.liveKey).toMatch(/^[0-9A-F]{32}$/);
    expect(created.body.testKey).not.toBe(created.body.liveKey);
    expect(created.body.actor).toBe(TEST_ADMIN_OPERATOR);
    expect(created.body.merchant).toMatchObject({ mercNo: m.mercNo, status: 'active' });
    expect(created.body.merchant.keys.map((k) => k.mode).sort()).toEqual(['live', 'test']);

    const r = await receiver();
    const placed = await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields({ notifyUrl: r.url }));
    expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
    expect(placed.body.livemode).toBe('false');
    expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!))).body.paid).toBe(true);
    await r.waitFor(1, 15_000);
    expect(r.received[0]!.body).toMatchObject({ mercNo: m.mercNo, payStatus: 'p0000' });

    // The view never shows a secret; a second create of the number is a conflict that changes nothing.
    const view = await admin('GET', `/admin/v1/merchants/${m.mercNo}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(m.keys.live);
    expect(JSON.stringify(view.body)).not.toContain(m.keys.test);
    const again = await admin<AdminErrorAnswer>('POST', '/admin/v1/merchants', { mercNo: m.mercNo, name: 'Other' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', field: 'mercNo' });
    expect((await lookup(m)).body.respCode).toBe('100005'); // the first keys still verify

    const audit = await listAdminAudit(stack.pool, m.mercNo, 10);
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['merchant.create', TEST_ADMIN_OPERATOR]]);
    expect(audit[0]!.detail).toMatchObject({ notifyScheduleMs: [100], signTypes: ['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW'] });
    const stored = JSON.stringify(await stack.pool.query('SELECT * FROM admin_audit WHERE merc_no = $1', [m.mercNo]));
    expect(stored).not.toContain(m.keys.live);
    expect(stored).not.toContain(m.keys.test);
  });

  it('a disabled merchant is refused 100003 (403); its open order still finishes and notifies; enabled again it works', async () => {
    const m = await createdMerchant();
    const r = await receiver();
    const placed = await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields({ notifyUrl: r.url }));
    expect(placed.body.respCode).toBe('000000');

    const off = await admin('POST', `/admin/v1/merchants/${m.mercNo}/disable`, { reason: 'contract ended' });
    expect(off.body).toMatchObject({ mercNo: m.mercNo, status: 'disabled', previousStatus: 'active', actor: TEST_ADMIN_OPERATOR });
    for (const path of ['/api/pay', '/api/query']) {
      const refused = await merchantCall(stack.api.url, path, m, path === '/api/pay' ? unifiedOrderFields() : { orderId: placed.body.orderId! });
      expect(refused.status).toBe(403);
      expect(refused.body.respCode).toBe('100003');
      expect(refused.body.respDesc).toContain('disabled');
    }
    // The order placed before still completes and its notification is delivered.
    expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!))).body.paid).toBe(true);
    await r.waitFor(1, 15_000);
    expect(r.received[0]!.body).toMatchObject({ orderId: placed.body.orderId, payStatus: 'p0000' });
    await eventually(async () => (await findOrderById(stack.pool, placed.body.orderId!))?.notifyState === 'delivered', 10_000, 'delivered');

    const on = await admin('POST', `/admin/v1/merchants/${m.mercNo}/enable`);
    expect(on.body).toMatchObject({ status: 'active', previousStatus: 'disabled' });
    expect((await merchantCall(stack.api.url, '/api/query', m, { orderId: placed.body.orderId! })).body.respCode).toBe('000000');
    const audit = await listAdminAudit(stack.pool, m.mercNo, 10);
    expect(audit.map((a) => a.action)).toEqual(['merchant.enable', 'merchant.disable', 'merchant.create']);
    expect(audit[1]!.detail).toEqual({ from: 'active', to: 'disabled', reason: 'contract ended' });
  });

  it('rotates a key with an overlap: both keys verify during it, only the new one after; overlap 0 revokes at once', async () => {
    const m = await createdMerchant();
    const rotated = await admin<{ key: string; keyId: string; mode: string; previousKeysVerifyUntil: string }>(
      'POST', `/admin/v1/merchants/${m.mercNo}/keys/rotate`, { mode: 'test', overlapMs: 1500 });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    expect(rotated.body.key).toMatch(/^[0-9A-F]{32}$/);
    const fresh = { mercNo: m.mercNo, signKey: rotated.body.key };
    expect((await lookup(fresh)).body.respCode).toBe('100005');
    expect((await lookup(m)).body.respCode).toBe('100005'); // the old key, inside the overlap
    const refused = await eventually(async () => {
      const res = await lookup(m);
      return res.body.respCode === '100002' ? res : null;
    }, 10_000, 'the old key to stop verifying');
    expect(refused.status).toBe(401);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(rotated.body.previousKeysVerifyUntil) - 1000);
    expect((await lookup(fresh)).body.respCode).toBe('100005');
    // The live key was untouched.
    expect((await lookup({ mercNo: m.mercNo, signKey: m.keys.live })).body.respCode).toBe('100005');

    const revoked = await admin<{ key: string }>('POST', `/admin/v1/merchants/${m.mercNo}/keys/rotate`, { mode: 'live', overlapMs: 0 });
    expect((await lookup({ mercNo: m.mercNo, signKey: m.keys.live })).body.respCode).toBe('100002');
    expect((await lookup({ mercNo: m.mercNo, signKey: revoked.body.key })).body.respCode).toBe('100005');
    const audit = await listAdminAudit(stack.pool, m.mercNo, 10);
    expect(audit.slice(0, 2).map((a) => [a.action, a.detail.mode, a.detail.overlapMs])).toEqual([['key.rotate', 'live', 0], ['key.rotate', 'test', 1500]]);
    expect(JSON.stringify(audit)).not.toContain(rotated.body.key);
  });

  it('a notify schedule applies to orders placed from then on', async () => {
    const m = await createdMerchant();
    // The platform schedule of the test stack has 3 retries; the merchant's own: one retry, 50 ms after the first.
    const set = await admin('PUT', `/admin/v1/merchants/${m.mercNo}/notify-schedule`, { notifyScheduleMs: [50] });
    expect(set.body).toMatchObject({ notifyScheduleMs: [50], actor: TEST_ADMIN_OPERATOR });
    const r = await receiver([{ kind: 'answer', body: 'fail' }]);
    const placed = await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields({ notifyUrl: r.url }));
    await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!));
    const exhausted = await eventually(async () => {
      const o = await findOrderById(stack.pool, placed.body.orderId!);
      return o?.notifyState === 'exhausted' ? o : null;
    }, 15_000, 'notification exhausted');
    expect(exhausted.notifyAttempts).toBe(2);
    expect(r.received).toHaveLength(2);
    // null = the platform's schedule again.
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/notify-schedule`, { notifyScheduleMs: null })).body).toMatchObject({ notifyScheduleMs: null });
    expect((await listAdminAudit(stack.pool, m.mercNo, 1))[0]).toMatchObject({ action: 'notify_schedule.set', detail: { from: [50], to: null } });
  });

  it('sign types take effect on the next request', async () => {
    const m = await createdMerchant();
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/sign-types`, { signTypes: ['HMAC-SHA256'] })).status).toBe(200);
    const md5 = await merchantCall(stack.api.url, '/api/query', m, { orderId: '20250101000000000001', signType: 'MD5' });
    expect(md5.status).toBe(400);
    expect(md5.body.respDesc).toContain('signType MD5 is not enabled for this merchant (enabled: HMAC-SHA256)');
    expect((await merchantCall(stack.api.url, '/api/query', m, { orderId: '20250101000000000001', signType: 'HMAC-SHA256' })).body.respCode).toBe('100005');
    expect((await listAdminAudit(stack.pool, m.mercNo, 1))[0]).toMatchObject({
      action: 'sign_types.set', actor: TEST_ADMIN_OPERATOR, detail: { from: ['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW'], to: ['HMAC-SHA256'] },
    });
  });

  it('limits: the merchant\'s own cap on open orders and its refund window', async () => {
    const m = await createdMerchant({ maxOpenOrders: 1 });
    expect((await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields())).body.respCode).toBe('000000');
    const capped = await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields());
    expect(capped.status).toBe(429);
    expect(capped.body.respDesc).toContain('at most 1');
    // Back to the platform cap (10,000 by default): room again.
    const lifted = await admin('PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { maxOpenOrders: null, refundWindowDays: 1 });
    expect(lifted.body).toMatchObject({ maxOpenOrders: null, refundWindowDays: 1 });
    expect((await merchantCall(stack.api.url, '/api/pay', m, unifiedOrderFields())).body.respCode).toBe('000000');

    // A refund window of one day: a payment of two days ago is past it (100011).
    const { mercOrderNo, orderId } = await paidSandboxOrder(stack, { ...(await testMerchant(stack.pool)), ...m, mode: 'test' }, '1.00');
    await stack.pool.query(`UPDATE orders SET trade_end_time = to_char(now() AT TIME ZONE 'Asia/Shanghai' - interval '2 days', 'YYYYMMDDHH24MISS') WHERE order_id = $1`, [orderId]);
    const late = await refundCall(stack, { ...(await testMerchant(stack.pool)), ...m, mode: 'test' }, { mercOrderNo, mercRefundNo: `R${Date.now()}`, refundAmt: '0.10' });
    expect(late.body.respCode).toBe('100011');
    // Only what is given changes.
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { maxOpenOrders: 0 })).body).toMatchObject({ maxOpenOrders: 0, refundWindowDays: 1 });
    expect((await listAdminAudit(stack.pool, m.mercNo, 1))[0]).toMatchObject({
      action: 'limits.set', detail: { from: { maxOpenOrders: null, refundWindowDays: 1 }, to: { maxOpenOrders: 0, refundWindowDays: 1 } },
    });

    // Its own request rate: 2 per second and no burst (the platform's is 100 + 200 per 10 s).
    const query = () => merchantCall(stack.api.url, '/api/query', m, { orderId: '20250101000000000001' });
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { rateLimitRps: 2, rateLimitBurst: 0 })).body).toMatchObject({ rateLimitRps: 2, rateLimitBurst: 0 });
    const burst = await Promise.all(Array.from({ length: 8 }, query));
    const limited = burst.filter((a) => a.status === 429);
    expect(burst.length - limited.length).toBeLessThanOrEqual(4); // 2 per 1-second window, the 8 spread over at most two
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body).toMatchObject({ respCode: '100009' });
    expect(limited[0]!.body.respDesc).toContain('at most 2 requests per second per merchant');
    // Back to the platform's rate: 8 at once are served.
    await admin('PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { rateLimitRps: null, rateLimitBurst: null });
    expect((await Promise.all(Array.from({ length: 8 }, query))).map((a) => a.body.respCode)).toEqual(Array(8).fill('100005'));
  });

  it('payouts: the daily limit and approval set over HTTP; a payout then waits for approval, one past the limit is 100012', async () => {
    const m = await createdMerchant();
    const shop = { mercNo: m.mercNo, signKey: m.keys.test };
    const set = await admin('PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: '5.00', approvalRequired: true });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({ mercNo: m.mercNo, dailyLimit: '5.00', approvalRequired: true, actor: TEST_ADMIN_OPERATOR });
    expect((await admin<{ payouts: unknown }>('GET', `/admin/v1/merchants/${m.mercNo}`)).body.payouts).toEqual({ dailyLimit: '5.00', approvalRequired: true });
    expect((await listAdminAudit(stack.pool, m.mercNo, 1))[0]).toMatchObject({
      action: 'payouts.set', actor: TEST_ADMIN_OPERATOR, detail: { from: { dailyLimit: null, approvalRequired: false }, to: { dailyLimit: '5.00', approvalRequired: true } },
    });

    // A payout waits for a support operator (p0001, approval pending, nothing sent).
    const waiting = await payoutCall(stack, shop, payoutFields({ tradeAmt: '3.00' }));
    expect(waiting.body.respCode, waiting.body.respDesc).toBe('000000');
    const waitingId = waiting.body.orderId!;
    await eventually(async () => ((await findPayout(stack.pool, waitingId))?.approval === 'pending' ? true : null), 5_000, 'pending approval');
    const pending = await supportCall<{ payouts: { orderId: string }[] }>(stack.api.adminUrl, 'GET', `/support/v1/payouts/pending-approval?mercNo=${m.mercNo}`);
    expect(pending.body.payouts.map((p) => p.orderId)).toEqual([waitingId]);
    expect((await findOrderById(stack.pool, waitingId))?.payStatus).toBe('p0001');
    // 3.00 of 5.00 used today: 2.01 does not fit.
    const over = await payoutCall(stack, shop, payoutFields({ tradeAmt: '2.01' }));
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ respCode: '100012' });
    expect(over.body.respDesc).toContain('2.00 of 5.00');

    // Only what is given changes: no approval from now on, the limit kept; then the platform's limit back (null).
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { approvalRequired: false })).body).toMatchObject({ dailyLimit: '5.00', approvalRequired: false });
    const sent = await payoutCall(stack, shop, payoutFields({ tradeAmt: '2.00' }));
    expect(sent.body.respCode, sent.body.respDesc).toBe('000000');
    await orderReaches(stack, sent.body.orderId!, 'p0000');
    expect((await findPayout(stack.pool, waitingId))?.approval).toBe('pending'); // accepted before: still waits
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: '0' })).body).toMatchObject({ dailyLimit: '0.00' });
    expect((await payoutCall(stack, shop, payoutFields({ tradeAmt: '0.01' }))).body.respCode).toBe('100012');
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: null })).body).toMatchObject({ dailyLimit: null });
    expect((await payoutCall(stack, shop, payoutFields({ tradeAmt: '0.01' }))).body.respCode).toBe('000000');
    expect((await listAdminAudit(stack.pool, m.mercNo, 10)).filter((a) => a.action === 'payouts.set')).toHaveLength(4);
  });

  it('routes and a channel account: a live order goes to the merchant\'s own IPayNow app; without the route it is refused', async () => {
    const m = await createdMerchant();
    const live = { mercNo: m.mercNo, signKey: m.keys.live };
    const before = await merchantCall(stack.api.url, '/api/pay', live, unifiedOrderFields({ paywayCode: 'alipay', sceneCode: 'h5' }));
    expect(before.body.respCode).toBe('200002');

    const appKey = 'admin-made-app-key-0001';
    emulator.controls.addApp('ADMINAPP00000001', appKey);
    const account = await admin('PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/ipaynow`, { appId: 'ADMINAPP00000001', appKey, baseUrl: emulator.url });
    expect(account.status, JSON.stringify(account.body)).toBe(200);
    expect(JSON.stringify(account.body)).not.toContain(appKey);
    const routed = await admin<{ routes: Record<string, string[]> }>('PUT', `/admin/v1/merchants/${m.mercNo}/routes`, { paywayCode: 'alipay', channels: ['ipaynow'] });
    expect(routed.body.routes).toEqual({ alipay: ['ipaynow'] });

    const placed = await merchantCall(stack.api.url, '/api/pay', live, unifiedOrderFields({ paywayCode: 'alipay', sceneCode: 'h5' }));
    expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
    expect(placed.body.mwebUrl).toContain(emulator.url);
    expect(emulator.controls.order(placed.body.orderId!)).toMatchObject({ appId: 'ADMINAPP00000001' });
    expect(await findOrderById(stack.pool, placed.body.orderId!)).toMatchObject({ channel: 'ipaynow', livemode: true });

    // The key is sealed at rest and never in the audit; removing the route refuses live orders again.
    const stored = await stack.pool.query<{ app_key: string }>('SELECT app_key FROM ipaynow_accounts WHERE merc_no = $1', [m.mercNo]);
    expect(stored.rows[0]!.app_key).not.toContain(appKey);
    expect((await admin('PUT', `/admin/v1/merchants/${m.mercNo}/routes`, { paywayCode: 'alipay', channels: [] })).body).toMatchObject({ routes: {} });
    expect((await merchantCall(stack.api.url, '/api/pay', live, unifiedOrderFields({ paywayCode: 'alipay', sceneCode: 'h5' }))).body.respCode).toBe('200002');
    const audit = await listAdminAudit(stack.pool, m.mercNo, 5);
    expect(audit.slice(0, 3).map((a) => a.action)).toEqual(['routes.set', 'routes.set', 'channel_account.set']);
    expect(audit[2]!.detail).toEqual({ channel: 'ipaynow', appId: 'ADMINAPP00000001', baseUrl: emulator.url });
    expect(JSON.stringify(audit)).not.toContain(appKey);

    // Key material that does not parse is refused naming the field (Alipay's private key).
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    const bad = await admin<AdminErrorAnswer>('PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/alipay`, { appId: '2021000000000001', privateKey: pem, alipayPublicKey: pem });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_request', field: 'privateKey' });
  });
});

describe('admin changes are atomic', () => {
  it('a change that fails after writing leaves neither the change nor an audit row; a create whose audit fails leaves no merchant', async () => {
    const m = await createdMerchant();
    const env = { pool: stack.pool, keyring: stack.config.secrets.keyring };
    await expect(changeMerchant(env, m.mercNo, TEST_ADMIN_OPERATOR, 'merchant.disable', async (tx) => {
      await setMerchantStatus(tx, m.mercNo, 'disabled');
      throw new Error('the process died here');
    })).rejects.toThrow('the process died here');
    expect((await findMerchant(stack.pool, m.mercNo))?.status).toBe('active');
    expect((await listAdminAudit(stack.pool, m.mercNo, 5)).map((a) => a.action)).toEqual(['merchant.create']);

    // The audit row is written in the create's transaction: an actor the table refuses (NULL) undoes the merchant.
    const mercNo = newMercNo();
    await expect(createMerchantAccount(env, { mercNo, name: 'never' }, null as unknown as string)).rejects.toThrow();
    expect(await findMerchant(stack.pool, mercNo)).toBeNull();
    expect((await stack.pool.query('SELECT 1 FROM merchant_keys WHERE merc_no = $1', [mercNo])).rowCount).toBe(0);
  });
});

describe('admin API: credentials and input', () => {
  const path = '/admin/v1/merchants/NOSUCHMERCHANT';

  it('401 without a valid operator token, 403 for a support-only operator; an admin operator also opens the support API', async () => {
    const merchant = await testMerchant(stack.pool);
    for (const token of [null, 'wrong-token-0123456789abcdef', merchant.signKey]) {
      const r = await admin<AdminErrorAnswer>('GET', path, undefined, token);
      expect(r.status, String(token)).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect(r.headers.get('www-authenticate')).toContain('realm="admin"');
    }
    // Credentials come before anything else: an unknown route, a create with no body.
    expect((await admin('GET', '/admin/v1/nothing', undefined, null)).status).toBe(401);
    const support = await admin<AdminErrorAnswer>('POST', '/admin/v1/merchants', { mercNo: newMercNo(), name: 'x' }, TEST_OPERATOR_TOKEN);
    expect(support.status).toBe(403);
    expect(support.body.error).toMatchObject({ code: 'forbidden' });
    expect(support.body.error.message).toContain('ops-alice');
    expect((await admin<AdminErrorAnswer>('GET', path)).status).toBe(404);
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/notifications/exhausted', { token: TEST_ADMIN_TOKEN })).status).toBe(200);
    expect((await admin('DELETE' as 'GET', '/admin/v1/merchants')).status).toBe(405);
  });

  it('bad input is 400 naming the field and the rule; an unknown merchant is 404 and writes nothing', async () => {
    const m = await createdMerchant();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/admin/v1/merchants', { name: 'x' }, 'mercNo'],
      ['POST', '/admin/v1/merchants', { mercNo: 'BAD:NO', name: 'x' }, 'mercNo'],
      ['POST', '/admin/v1/merchants', { mercNo: newMercNo(), name: 'x', signTypes: ['SHA1'] }, 'signTypes.0'],
      ['POST', '/admin/v1/merchants', { mercNo: newMercNo(), name: 'x', signTypes: [] }, 'signTypes'],
      ['POST', '/admin/v1/merchants', { mercNo: newMercNo(), name: 'x', colour: 'red' }, 'colour'],
      ['POST', `/admin/v1/merchants/${m.mercNo}/keys/rotate`, { mode: 'both' }, 'mode'],
      ['POST', `/admin/v1/merchants/${m.mercNo}/keys/rotate`, { mode: 'live', overlapMs: -1 }, 'overlapMs'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/notify-schedule`, { notifyScheduleMs: [0] }, 'notifyScheduleMs.0'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/notify-schedule`, {}, 'notifyScheduleMs'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/sign-types`, { signTypes: ['MD5', 'MD5'] }, 'signTypes'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/routes`, { paywayCode: 'alipay', channels: ['sandbox'] }, 'channels.0'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/routes`, { paywayCode: 'paypal', channels: [] }, 'paywayCode'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { maxOpenOrders: 1.5 }, 'maxOpenOrders'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/limits`, { refundWindowDays: 0 }, 'refundWindowDays'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/limits`, undefined, 'request'], // no body: a required body, even where every field is optional
      ['PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: '1.234' }, 'dailyLimit'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: 500 }, 'dailyLimit'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { dailyLimit: '-1' }, 'dailyLimit'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, { approvalRequired: 'yes' }, 'approvalRequired'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/payouts`, undefined, 'request'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/ipaynow`, { appId: 'A1' }, 'appKey'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/wechatpay`, { mchId: '1900000001', appId: 'wx0123456789abcdef', serialNo: '0123ABCD', privateKey: 'x', apiV3Key: 'k', platformKeys: [] }, 'privateKey'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/wechatpay`, { mchId: '1', appId: 'wx1', serialNo: 'S', privateKey: 'x', apiV3Key: 'k', platformKeys: [] }, 'mchId'],
      ['PUT', `/admin/v1/merchants/${m.mercNo}/channel-accounts/alipay`, { appId: 'APP1', privateKey: 'x', alipayPublicKey: 'x' }, 'appId'],
    ];
    for (const [method, p, body, field] of cases) {
      const r = await admin<AdminErrorAnswer>(method as 'POST', p, body);
      expect(r.status, `${method} ${p} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatchObject({ code: 'invalid_request', field });
    }
    const badJson = await admin<AdminErrorAnswer>('POST', '/admin/v1/merchants', '{"mercNo": ');
    expect(badJson.status).toBe(400);
    const unknown = await admin<AdminErrorAnswer>('POST', '/admin/v1/merchants/NOSUCHMERCHANT/disable');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', field: 'mercNo' });
    expect(await listAdminAudit(stack.pool, 'NOSUCHMERCHANT', 5)).toEqual([]);
    expect((await listAdminAudit(stack.pool, m.mercNo, 5)).map((a) => a.action)).toEqual(['merchant.create']);
  });

  it('is off (503 not_configured) without ADMIN_OPERATORS, while the support API still works', async () => {
    const bare = await startStack({ ADMIN_OPERATORS: '' }, { worker: false });
    try {
      const r = await adminCall<AdminErrorAnswer>(bare.api.adminUrl, 'POST', '/admin/v1/merchants', { body: { mercNo: newMercNo(), name: 'x' } });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('not_configured');
      expect(r.body.error.message).toContain('ADMIN_OPERATORS');
      expect((await supportCall(bare.api.adminUrl, 'GET', '/support/v1/notifications/exhausted')).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});
