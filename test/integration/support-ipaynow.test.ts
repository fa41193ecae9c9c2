import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { PLATFORM_APP_KEY, payAtEmulator, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { notifyStateOf, supportCall } from '../support/support-api';
import type { OrderTimeline } from '../../support/timeline';

// The timeline of an IPayNow order: the channel calls we made (WP001 create) and the N001 callbacks it sent us.
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

describe('support timeline: IPayNow order', () => {
  it('shows the channel calls and the verified callback, and no channel credential anywhere', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const placed = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
    expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
    const orderId = placed.body.orderId!;
    expect((await payAtEmulator(s.emulator.url, orderId)).status).toBe(200);
    await notifyStateOf(s.stack, orderId, ['delivered']);

    const { status, body: t } = await supportCall<OrderTimeline>(s.stack.api.adminUrl, 'GET', `/support/v1/orders/${orderId}`);
    expect(status).toBe(200);
    expect(t.order).toMatchObject({ channel: 'ipaynow', payStatus: 'p0000' });
    expect(t.channelCalls[0]).toMatchObject({ channel: 'ipaynow', op: 'create', status: 'CREATED' });
    expect(t.channelCallbacks).toEqual([
      expect.objectContaining({ channel: 'ipaynow', statusCode: 'A001', signatureValid: true, outcome: 'accepted' }),
    ]);
    expect(t.timeline.some((e) => e.source === 'channel_callback' && e.summary.includes('accepted'))).toBe(true);
    expect(JSON.stringify(t)).not.toContain(PLATFORM_APP_KEY);
    expect(JSON.stringify(t)).not.toContain(merchant.signKey);
  });
});
