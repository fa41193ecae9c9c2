import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, testMerchant } from '../support/stack';
import { startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { unifiedOrderFields } from '../support/requests';

// Finding 8 (exposure): GET /qr/:orderId.svg handed any order's pay credential to anyone with its orderId. The image
// is served only with the order's link token, which the imgUrl of the unified-order answer carries.
let s: IpaynowStack;

beforeAll(async () => {
  s = await startIpaynowStack();
});
afterAll(async () => {
  await s?.stop();
});

describe('QR image links', () => {
  it('the answer\'s imgUrl works; the same orderId without its token, or with another order\'s, is 404', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const a = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ sceneCode: 'scan' }));
    const b = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ sceneCode: 'scan' }));
    expect(a.body.respCode).toBe('000000');
    const img = new URL(a.body.imgUrl!);
    expect(img.pathname).toBe(`/qr/${a.body.orderId}.svg`);
    const ok = await fetch(img);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<svg');

    const bare = await fetch(`${s.stack.api.url}/qr/${a.body.orderId}.svg`);
    expect(bare.status).toBe(404);
    const otherToken = new URL(b.body.imgUrl!).searchParams.get('k')!;
    const swapped = await fetch(`${s.stack.api.url}/qr/${a.body.orderId}.svg?k=${otherToken}`);
    expect(swapped.status).toBe(404);
    const forged = await fetch(`${s.stack.api.url}/qr/${a.body.orderId}.svg?k=${'A'.repeat(32)}`);
    expect(forged.status).toBe(404);
  });
});
