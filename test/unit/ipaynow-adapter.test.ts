import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createIpaynowChannel, type IpaynowOrderContext } from '../../channels/ipaynow';
import type { IpaynowAccount } from '../../channels/ipaynow/accounts';
import type { Channel, ChannelOrderRequest } from '../../domain/channels';
import { SCENE_CODES, type SceneCode } from '../../domain/order';
import { startIpaynowEmulator, type IpaynowEmulator } from '../../emulator/ipaynow';

// The adapter against the emulator over real HTTP: the protocol both ways, with the emulator's own signing.
const APP_ID = 'APP0000000000001';
const APP_KEY = 'adapter-test-key';
const PUBLIC = 'https://platform.example';

let emulator: IpaynowEmulator;
let account: IpaynowAccount;
const orders = new Map<string, IpaynowOrderContext>();
let channel: Channel;
let seq = 0;

beforeAll(async () => {
  emulator = await startIpaynowEmulator({ apps: { [APP_ID]: APP_KEY }, notifyScale: 0.001 });
  account = { appId: APP_ID, appKey: APP_KEY, baseUrl: emulator.url };
  channel = createIpaynowChannel({
    accountFor: async (mercNo) => (mercNo === 'M-NONE' ? null : account),
    orderContext: async (orderId) => orders.get(orderId) ?? null,
    publicBaseUrl: PUBLIC,
    qrToken: (orderId) => `tok-${orderId}`,
    timeoutMs: 300,
  });
});
afterAll(async () => {
  await emulator?.stop();
});
beforeEach(() => emulator.controls.resetFaults());

function order(over: Partial<ChannelOrderRequest> = {}): ChannelOrderRequest {
  const o: ChannelOrderRequest = {
    orderId: `2024${Date.now()}${++seq}`, mercNo: 'M1', amountFen: 123, subject: '测试商品 & more', paywayCode: 'alipay',
    sceneCode: 'scan', termType: 'wap', expireAtMs: Date.now() + 30 * 60_000, ip: '203.0.113.7', ...over,
  };
  orders.set(o.orderId, { mercNo: o.mercNo, sceneCode: o.sceneCode, amountFen: o.amountFen });
  return o;
}

const lastWp001 = (orderId: string) => emulator.controls.calls(orderId).filter((c) => c.funcode === 'WP001').at(-1)!.request;

describe('IPayNow adapter ↔ emulator', () => {
  it('pushes WP001 with our codes, integer fen and our notifyUrl; answers the credential of every scene', async () => {
    const shapes: Record<string, string> = {};
    for (const scene of SCENE_CODES) {
      const o = order({ sceneCode: scene as SceneCode, paywayCode: scene === 'ebank' ? 'unionpay' : 'wxpay' });
      const created = await channel.create(o);
      expect(created.kind, scene).toBe('CREATED');
      if (created.kind !== 'CREATED') continue;
      shapes[scene] = Object.keys(created.credential).sort().join(',');
      const req = lastWp001(o.orderId);
      expect(req).toMatchObject({ funcode: 'WP001', appId: APP_ID, mhtOrderNo: o.orderId, mhtOrderAmt: '123', mhtCurrencyType: '156',
        mhtOrderType: '01', outputType: '0', mhtCharset: 'UTF-8', notifyUrl: `${PUBLIC}/channels/ipaynow/notify`, mhtOrderName: '测试商品 & more' });
      expect(req.payChannelType).toBe(scene === 'ebank' ? '11' : '13');
      expect(created.channelOrderNo).toBe(emulator.controls.order(o.orderId)!.nowPayOrderNo);
    }
    expect(shapes).toEqual({ scan: 'codeUrl,imgUrl', h5: 'mwebUrl', jspay: 'payInfo', app: 'payInfo', ebank: 'resultHtml', gateway: 'resultHtml' });
    expect(emulator.controls.calls().every((c) => c.signRule === 'NEW')).toBe(true);
  });

  it('sends the remaining validity as mhtOrderTimeOut, clamped to 60–3600 s', async () => {
    const now = Date.now();
    const cases: [number, string][] = [[10_000, '60'], [1_800_000, '1800'], [7_200_000, '3600']];
    for (const [remaining, expected] of cases) {
      const o = order({ expireAtMs: now + remaining });
      await channel.create(o);
      const sent = Number(lastWp001(o.orderId).mhtOrderTimeOut);
      expect(Math.abs(sent - Number(expected)), `${remaining} ms`).toBeLessThanOrEqual(expected === '1800' ? 2 : 0);
    }
  });

  it('the same push twice gets the same pay link; the codeUrl QR is served by the platform', async () => {
    const o = order();
    const a = await channel.create(o);
    const b = await channel.create(o);
    expect(a).toEqual(b);
    expect(a.kind === 'CREATED' && a.credential.imgUrl).toBe(`${PUBLIC}/qr/${o.orderId}.svg?k=tok-${o.orderId}`);
  });

  it('maps MQ002: A004/A00I pending, A001 paid (time, numbers), A002/A005/A006 failed, A003 unknown', async () => {
    const o = order();
    await channel.create(o);
    const ref = { orderId: o.orderId };
    expect(await channel.query(ref)).toEqual({ status: 'PENDING' });
    const states: Record<string, string> = {};
    for (const forced of ['A00I', 'A002', 'A005', 'A006', 'A003']) {
      emulator.controls.setTransStatus(o.orderId, forced);
      states[forced] = (await channel.query(ref)).status;
    }
    expect(states).toEqual({ A00I: 'PENDING', A002: 'FAIL', A005: 'FAIL', A006: 'FAIL', A003: 'UNKNOWN' });
    emulator.controls.setTransStatus(o.orderId, null);
    expect(emulator.controls.pay(o.orderId, { evenIfClosed: true }).paid).toBe(true);
    const paid = await channel.query(ref);
    expect(paid).toMatchObject({ status: 'SUCCESS', channelOrderNo: emulator.controls.order(o.orderId)!.nowPayOrderNo });
    expect(paid.status === 'SUCCESS' && Math.abs(paid.paidAtMs - Date.now())).toBeLessThan(5_000);
    const mq = emulator.controls.calls(o.orderId).filter((c) => c.funcode === 'MQ002').at(-1)!.request;
    expect(mq).toMatchObject({ deviceType: '08', appId: APP_ID, mhtSignType: 'MD5' });
  });

  it('close is a final query: paid stays paid, still open is closed on our side only', async () => {
    const open = order();
    await channel.create(open);
    expect(await channel.close({ orderId: open.orderId })).toMatchObject({ status: 'FAIL', reason: expect.stringContaining('no close') });
    expect(emulator.controls.order(open.orderId)!.transStatus).toBe('A004');
    const paid = order();
    await channel.create(paid);
    emulator.controls.pay(paid.orderId);
    expect((await channel.close({ orderId: paid.orderId })).status).toBe('SUCCESS');
  });

  it('accepts legacy answers (OLD rule, tradeStatus)', async () => {
    emulator.controls.setFaults({ legacyFormat: true });
    const o = order();
    expect((await channel.create(o)).kind).toBe('CREATED');
    emulator.controls.pay(o.orderId);
    expect((await channel.query({ orderId: o.orderId })).status).toBe('SUCCESS');
  });

  it('a slow, failing, forged, unknown or unreachable IPayNow is UNKNOWN, never a failure', async () => {
    const outcomes: Record<string, string> = {};
    const slow = order();
    emulator.controls.setFaults({ delayMs: { WP001: 1_000 } });
    const r1 = await channel.create(slow);
    outcomes.slow = r1.kind === 'UNKNOWN' ? r1.reason : r1.kind;
    expect(emulator.controls.order(slow.orderId)).not.toBeNull(); // it did take the order: queries will find it
    emulator.controls.resetFaults();
    emulator.controls.setFaults({ http500: { WP001: true } });
    const r2 = await channel.create(order());
    outcomes.http500 = r2.kind === 'UNKNOWN' ? r2.reason : r2.kind;
    emulator.controls.resetFaults();
    emulator.controls.setFaults({ badSignature: { answers: true } });
    const r3 = await channel.create(order());
    outcomes.forged = r3.kind === 'UNKNOWN' ? r3.reason : r3.kind;
    emulator.controls.resetFaults();
    emulator.controls.setFaults({ unknownResult: { WP001: true } });
    const r4 = await channel.create(order());
    outcomes.a003 = r4.kind === 'UNKNOWN' ? r4.reason : r4.kind;
    emulator.controls.resetFaults();
    const r5 = await channel.query({ orderId: order().orderId }); // never pushed: MQ002 answers A002
    outcomes.notFound = r5.status === 'UNKNOWN' ? r5.reason : r5.status;
    emulator.controls.setFaults({ http500: { MQ002: true } });
    const r6 = await channel.query({ orderId: slow.orderId });
    outcomes.query500 = r6.status === 'UNKNOWN' ? r6.reason : r6.status;

    expect(outcomes).toEqual({
      slow: expect.stringContaining('no answer within 300 ms'),
      http500: expect.stringContaining('HTTP 500'),
      forged: expect.stringContaining('signature'),
      a003: expect.stringContaining('A003'),
      notFound: expect.stringContaining('A002'),
      query500: expect.stringContaining('HTTP 500'),
    });
    const refused = createIpaynowChannel({
      accountFor: async () => ({ ...account, baseUrl: 'http://127.0.0.1:9/' }),
      orderContext: async () => null, publicBaseUrl: PUBLIC, qrToken: () => 'tok', timeoutMs: 300,
    });
    expect((await refused.create(order())).kind).toBe('UNKNOWN');
  });

  it('without an IPayNow account for the merchant the order is not supported', async () => {
    expect((await channel.create(order({ mercNo: 'M-NONE' }))).kind).toBe('UNSUPPORTED');
  });
});
