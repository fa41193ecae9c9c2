import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { callbacksOf, eventTypes, orderOf, PLATFORM_APP_ID, postNotify, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { emulatorSign } from '../../emulator/ipaynow/sign';

// Finding 6: nothing limited IPayNow's N001 endpoint, and every body, verified or not, was stored. With
// RATE_LIMIT_N001_RPS=5, a flood from one address is answered 429 `success=N` (IPayNow sends a genuine one again),
// other addresses are not affected, and a notification that does not verify is counted but never stored.
const RPS = 5;
let s: IpaynowStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startIpaynowStack({ RATE_LIMIT_N001_RPS: String(RPS), POLL_SCHEDULE: '60s', NOTIFY_RETRY_SCHEDULE: '150ms,300ms' });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await s?.stop();
});

async function ipaynowOrder() {
  const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  return { orderId: res.body.orderId!, receiver };
}

/** A well-formed N001 for the order signed with the wrong key (what anyone on the internet can send). */
function forgedN001(orderId: string): string {
  const fields = { funcode: 'N001', appId: PLATFORM_APP_ID, mhtOrderNo: orderId, mhtOrderAmt: '123', transStatus: 'A001', signType: 'MD5' };
  return new URLSearchParams({ ...fields, signature: emulatorSign(fields, 'not-the-key') }).toString();
}

/** POSTs to the N001 endpoint from `localAddress` (any 127.x address reaches the loopback listener). */
function notifyFrom(localAddress: string, body: string): Promise<{ status: number; text: string; retryAfter: string | undefined }> {
  const url = new URL(`${s.stack.api.url}/channels/ipaynow/notify`);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${s.stack.api.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

async function lastCallbackId(): Promise<number> {
  const { rows } = await s.stack.pool.query<{ id: string | null }>('SELECT max(id) AS id FROM channel_callbacks');
  return Number(rows[0]!.id ?? 0);
}

describe('N001 endpoint limits', () => {
  it('a flood from one address is answered 429 success=N with Retry-After beyond the limit; other addresses are served', async () => {
    const { orderId } = await ipaynowOrder();
    const body = forgedN001(orderId);
    // A loaded machine may stretch one burst over two 1-second windows: then try again from a fresh address.
    let answers: Awaited<ReturnType<typeof notifyFrom>>[] = [];
    for (const address of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
      const started = Date.now();
      answers = await Promise.all(Array.from({ length: 20 }, () => notifyFrom(address, body)));
      if (Date.now() - started < 900) break;
    }
    const limited = answers.filter((a) => a.status === 429);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(RPS);
    expect(limited).toHaveLength(20 - RPS);
    for (const a of answers) expect(a.text).toBe('success=N'); // never "received", never a 5xx
    for (const a of limited) expect(a.retryAfter).toMatch(/^[1-9]\d*$/);
    expect(await metric('paydurable_rate_limited_total', 'limit="n001_source"')).toBeGreaterThanOrEqual(20 - RPS);

    // Another address (here: the test's default one) is not affected by that flood.
    expect(await postNotify(s.stack.api.url, body)).toEqual({ status: 200, text: 'success=N' });
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');
  });

  it('a genuine N001 refused by the limit is sent again by IPayNow and applied once', async () => {
    const { orderId, receiver } = await ipaynowOrder();
    s.emulator.controls.setFaults({ notify: { copies: 2 * RPS } }); // twice as many copies at once as the limit lets through
    try {
      s.emulator.controls.pay(orderId);
      await eventually(async () => {
        const acked = new Set(s.emulator.controls.notifications(orderId).filter((n) => n.acknowledged).map((n) => n.copy));
        return acked.size === 2 * RPS ? true : null;
      }, 45_000, 'every copy acknowledged'); // IPayNow's retries at 1/1000: 120 ms, 600 ms, 1.8 s, 3.6 s, 7.2 s, 21.6 s
    } finally {
      s.emulator.controls.resetFaults();
    }
    expect(s.emulator.controls.notifications(orderId).some((n) => n.answer.startsWith('HTTP 429'))).toBe(true);
    await receiver.waitFor(1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0000');
    expect((await eventTypes(s.stack, orderId)).filter((t) => t === 'paid')).toEqual(['paid']);
    expect(receiver.forOrder(orderId)).toHaveLength(1);
  });

  it('an N001 that does not verify changes nothing, is counted, and is not stored', async () => {
    const { orderId } = await ipaynowOrder();
    const before = { id: await lastCallbackId(), unverified: await metric('paydurable_channel_callbacks_unverified_total', 'channel="ipaynow",reason="unverified"') };
    expect(await postNotify(s.stack.api.url, forgedN001(orderId))).toEqual({ status: 200, text: 'success=N' });
    expect(await callbacksOf(s.stack, orderId)).toEqual([]);
    expect(await lastCallbackId()).toBe(before.id);
    expect(await metric('paydurable_channel_callbacks_unverified_total', 'channel="ipaynow",reason="unverified"')).toBe(before.unverified + 1);
    expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

    // The genuine one is stored, with its verification.
    s.emulator.controls.pay(orderId);
    // Stored as `received` first, then finished with its outcome once handed over: wait for the finished row.
    await eventually(async () => ((await callbacksOf(s.stack, orderId)).some((c) => c.outcome !== 'received') ? true : null), 10_000, 'the genuine N001');
    expect(await callbacksOf(s.stack, orderId)).toEqual([expect.objectContaining({ outcome: 'accepted', signatureValid: true, signRule: 'new' })]);
  });
});
