import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, TEST_OPERATORS, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { orderOf, PLATFORM_APP_ID, PLATFORM_APP_KEY, postNotify, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { listReviewsOf } from '../../db/order-reviews';
import { emulatorSign } from '../../emulator/ipaynow/sign';
import { notifyControlSignal } from '../../workflows/definitions';

// A support decision races other news reaching the order's workflow (here: a few no-op signals, as a channel report
// or a support control would be). The server then fails the workflow task that carries the update (UnhandledCommand:
// new events arrived while it ran) and drops the update with it (FAILED_PRECONDITION "unexpected workflow task
// failure"): about half of 12 decisions here. The operator must still get the decision applied (200), never a 500.
let s: IpaynowStack;
let receiver: MerchantReceiver;

beforeAll(async () => {
  s = await startIpaynowStack({ POLL_SCHEDULE: '1m', NOTIFY_RETRY_SCHEDULE: '150ms' });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await s?.stop();
});

const ORDERS = 12;
const NEWS = 4;
const NEWS_EVERY_MS = 25;

describe('resolving orders in the human queue while signals reach their workflows', () => {
  it('applies every decision (200), none lost to the engine', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    s.emulator.controls.setFaults({ notify: { mode: 'never' } });
    // Each order is reported paid with another amount: the workflow opens a review and waits for a person.
    const orders = await Promise.all(Array.from({ length: ORDERS }, async () => {
      const placed = await merchantCall(s.stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      expect(placed.body.respCode).toBe('000000');
      const orderId = placed.body.orderId!;
      const fields = { funcode: 'N001', appId: PLATFORM_APP_ID, mhtOrderNo: orderId, mhtOrderAmt: '1', transStatus: 'A001', signType: 'MD5' };
      expect((await postNotify(s.stack.api.url, new URLSearchParams({ ...fields, signature: emulatorSign(fields, PLATFORM_APP_KEY) }).toString())).text).toBe('success=Y');
      await eventually(async () => ((await listReviewsOf(s.stack.pool, orderId)).length ? true : null), 15_000, 'the review');
      return { orderId, workflowId: (await orderOf(s.stack, orderId)).workflowId };
    }));

    const answers = await Promise.all(orders.map(async ({ orderId, workflowId }) => {
      // News reaches the workflow while the decision's workflow task runs: a few signals around the request.
      const handle = s.stack.client.workflow.getHandle(workflowId);
      const news = (async () => {
        for (let i = 0; i < NEWS; i++) {
          await handle.signal(notifyControlSignal, { action: 'resume' });
          await new Promise((r) => setTimeout(r, NEWS_EVERY_MS));
        }
      })();
      const res = await fetch(`${s.stack.api.adminUrl}/support/v1/orders/${orderId}/resolve`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TEST_OPERATORS['ops-alice']}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ decision: 'paid', reason: 'statement shows the amount taken' }),
      });
      const body = (await res.json()) as { payStatus?: string; error?: { code: string; message: string } };
      await news;
      return `${res.status} ${body.payStatus ?? `${body.error?.code}: ${body.error?.message}`}`;
    }));
    expect(answers).toEqual(Array(ORDERS).fill('200 p0000'));
  });
});
