import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, inMode, merchantCall, payInSandbox, testMerchant, type TestMerchant } from '../support/stack';
import { startIpaynowStack, orderOf, type IpaynowStack } from '../support/ipaynow';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { openSandboxOrder } from '../../channels/sandbox/books';
import { verifySignature } from '../../domain/signing';

// Finding 1 (the sandbox pays real orders): live and test mode over the real stack, IPayNow (its emulator) as the
// live channel. A test key makes test orders, which only the sandbox serves; a live key never reaches the sandbox;
// each key sees its own mode's orders; answers and notifications carry the signed `livemode`.
let s: IpaynowStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startIpaynowStack();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await s?.stop();
});

async function place(merchant: TestMerchant, overrides: Record<string, string> = {}) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, ...overrides });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  return { receiver, fields, res };
}
const channelOrderNoOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop()!);

describe('live and test mode', () => {
  it('a test key makes a test order the sandbox serves; a live key makes a live order at the real channel', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'test' });
    const test = await place(merchant);
    expect(test.res.body).toMatchObject({ respCode: '000000', livemode: 'false' });
    expect(test.res.body.codeUrl).toContain('/sandbox/cashier/');
    expect(verifySignature(test.res.body, merchant.keys.test, 'MD5', test.res.body.signature!)).toBe(true);
    expect(await orderOf(s.stack, test.res.body.orderId!)).toMatchObject({ channel: 'sandbox', livemode: false });

    const live = await place(inMode(merchant, 'live'));
    expect(live.res.body).toMatchObject({ respCode: '000000', livemode: 'true' });
    expect(live.res.body.codeUrl).toContain(s.emulator.url);
    expect(verifySignature(live.res.body, merchant.keys.live, 'MD5', live.res.body.signature!)).toBe(true);
    expect(await orderOf(s.stack, live.res.body.orderId!)).toMatchObject({ channel: 'ipaynow', livemode: true });
  });

  it('a test key cannot make, see or close a live order, nor reuse its mercOrderNo (and the reverse)', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const live = await place(merchant);
    expect(live.res.body.respCode).toBe('000000');
    const asTest = inMode(merchant, 'test');
    // The same request signed with the test key: not the live order's answer, a conflict.
    const reuse = await merchantCall(s.stack.api.url, '/api/pay', asTest, live.fields);
    expect(reuse.body.respCode).toBe('100004');
    expect(reuse.body.orderId).toBeUndefined();
    for (const path of ['/api/query', '/api/close']) {
      const other = await merchantCall(s.stack.api.url, path, asTest, { mercOrderNo: live.fields.mercOrderNo! });
      expect(other.body, path).toMatchObject({ respCode: '100005', livemode: 'false' });
    }
    const test = await place(asTest);
    const seen = await merchantCall(s.stack.api.url, '/api/query', merchant, { orderId: test.res.body.orderId! });
    expect(seen.body.respCode).toBe('100005');
    expect((await orderOf(s.stack, live.res.body.orderId!)).payStatus).toBe('p0002'); // still waiting for its payer
  });

  it('the notification of a test order says livemode=false, signed with the test key', async () => {
    const merchant = await testMerchant(s.stack.pool);
    const { receiver, res } = await place(merchant);
    await payInSandbox(s.stack.api.url, channelOrderNoOf(res.body.codeUrl!));
    await receiver.waitFor(1);
    const [sent] = receiver.received;
    expect(sent!.body).toMatchObject({ payStatus: 'p0000', livemode: 'false' });
    expect(verifySignature(sent!.body, merchant.keys.test, 'MD5', String(sent!.body.signature))).toBe(true);
    expect(verifySignature(sent!.body, merchant.keys.live, 'MD5', String(sent!.body.signature))).toBe(false);
  });
});

describe('the sandbox pays test-mode orders only, for their amount', () => {
  it('refuses another amount, and pays the order\'s own', async () => {
    const merchant = await testMerchant(s.stack.pool);
    const { res } = await place(merchant, { tradeAmt: '8.80' });
    const no = channelOrderNoOf(res.body.codeUrl!);
    const other = await fetch(`${s.stack.api.url}/sandbox/api/pay`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo: no, tradeAmt: '0.01' }),
    });
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ paid: false });
    const own = await fetch(`${s.stack.api.url}/sandbox/api/pay`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo: no, tradeAmt: '8.80' }),
    });
    expect(await own.json()).toMatchObject({ paid: true });
    await eventually(async () => (await orderOf(s.stack, res.body.orderId!)).payStatus === 'p0000', 15_000, 'paid');
  });

  it('a live order in the sandbox\'s books (a mis-route) is never paid there', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { res } = await place(merchant);
    const orderId = res.body.orderId!;
    const booked = await openSandboxOrder(s.stack.pool, orderId, 1, 'mis-routed');
    const pay = await payInSandbox(s.stack.api.url, booked.channelOrderNo);
    expect(pay.status).toBe(409);
    expect(pay.body).toMatchObject({ paid: false });
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002'); // not paid
  });

  it('sandbox order numbers are random: an orderId does not name a cashier page', async () => {
    const merchant = await testMerchant(s.stack.pool);
    const { res } = await place(merchant);
    const no = channelOrderNoOf(res.body.codeUrl!);
    expect(no).not.toContain(res.body.orderId!);
    expect(no).toMatch(/^SBX[0-9A-F]{32}$/);
    const guessed = await payInSandbox(s.stack.api.url, `SBX${res.body.orderId!}`);
    expect(guessed.status).toBe(404);
  });
});
