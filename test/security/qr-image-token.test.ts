import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import type { TestMerchant as Merchant } from '../support/stack-core';

// Finding: /qr/:orderId.svg handed any order's pay credential (its codeUrl as a QR code) to anyone with an orderId.
// The QR image is served only at the link the unified-order answer hands out (imgUrl), which carries an
// unguessable per-order token; anything else is the same 404.
let s: IpaynowStack;
let receiver: MerchantReceiver;
beforeAll(async () => {
  s = await startIpaynowStack({ POLL_SCHEDULE: '60s' });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await s?.stop();
});

async function scanOrder(merchant: Merchant): Promise<Record<string, string>> {
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url, sceneCode: 'scan' }));
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  expect(res.body.codeUrl).toBeTruthy();
  return res.body;
}
const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
};

describe('QR image of an order', () => {
  it('the imgUrl of the answer serves the QR image; the same order without its token, or with another, is 404', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' }); // live: IPayNow, whose imgUrl is the platform's /qr
    const answer = await scanOrder(merchant);
    const other = await scanOrder(merchant);
    const base = s.stack.config.api.publicBaseUrl;
    const token = new URL(answer.imgUrl!).pathname.match(/^\/qr\/\d+\/([A-Za-z0-9_-]{22})\.svg$/)?.[1];
    expect(token, answer.imgUrl).toBeTruthy();

    const image = await get(answer.imgUrl!);
    expect(image.status).toBe(200);
    expect(image.type).toContain('image/svg+xml');

    const otherToken = new URL(other.imgUrl!).pathname.split('/')[3]!.replace('.svg', '');
    const flipped = `${token!.slice(0, -1)}${token!.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [
      `/qr/${answer.orderId}.svg`, // the old link: the orderId alone
      `/qr/${answer.orderId}/${otherToken}.svg`, // another order's token
      `/qr/${answer.orderId}/${flipped}.svg`,
      `/qr/${answer.orderId}/${'A'.repeat(22)}.svg`,
      `/qr/${answer.orderId}/${token}x.svg`,
      `/qr/${answer.orderId}/.svg`,
      `/qr/${other.orderId}/${token}.svg`,
    ]) {
      const refused = await get(`${base}${path}`);
      expect(refused.status, path).toBe(404);
      expect(refused.text, path).not.toContain('<svg');
    }
  });

  it('a sandbox order\'s QR is not served by orderId either (its imgUrl is the sandbox cashier\'s)', async () => {
    const merchant = await testMerchant(s.stack.pool); // test mode: the sandbox
    const answer = await scanOrder(merchant);
    expect(answer.imgUrl).toContain('/sandbox/cashier/');
    expect((await get(`${s.stack.config.api.publicBaseUrl}/qr/${answer.orderId}.svg`)).status).toBe(404);
    expect((await get(answer.imgUrl!)).status).toBe(200);
  });
});
