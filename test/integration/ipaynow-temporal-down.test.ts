import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { eventually, merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { orderOf, payAtEmulator, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { TcpProxy } from '../support/tcp-proxy';

// An IPayNow N001 that reaches the API while Temporal is unreachable is answered success=N (promptly, never a 5xx),
// so IPayNow sends it again; the retry after Temporal is back pays the order. Polling is slow here (1 h), so only
// N001 can settle it.
let s: IpaynowStack;
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = await new TcpProxy(inject('temporalAddress')).start();
  s = await startIpaynowStack({ POLL_SCHEDULE: '1h', NOTIFY_RETRY_SCHEDULE: '150ms', CHANNEL_REPORT_TIMEOUT: '1s' }, { apiTemporalAddress: proxy.address });
});
afterAll(async () => {
  await s?.stop();
  await proxy?.stop();
});

describe('IPayNow N001 while Temporal is down', () => {
  it('is answered success=N, retried by IPayNow, and applied once Temporal is back', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const receiver = await new MerchantReceiver().start();
    try {
      const placed = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
      const orderId = placed.body.orderId!;

      await proxy.cut();
      expect((await payAtEmulator(s.emulator.url, orderId)).status).toBe(200);
      // IPayNow's first N001 (and any retry while cut) is refused with success=N, so it keeps retrying.
      await eventually(async () => s.emulator.controls.notifications(orderId).some((n) => n.answer.startsWith('success=N')), 15_000, 'an N001 answered success=N');
      expect((await orderOf(s.stack, orderId)).payStatus).toBe('p0002');

      await proxy.restore();
      await receiver.waitFor(1, 30_000);
      expect(receiver.received[0]!.body).toMatchObject({ orderId, payStatus: 'p0000' });
      const answers = s.emulator.controls.notifications(orderId).map((n) => n.answer);
      expect(answers.at(-1)).toBe('success=Y');
      expect(answers.filter((a) => a === 'success=Y')).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });
});
