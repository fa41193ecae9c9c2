import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { eventually, globalSetupBase } from '../support/stack';
import { testMerchant } from '../support/stack-core';
import { MerchantReceiver } from '../support/merchant-receiver';
import { startAlipayStack, type AlipayStack } from '../support/alipay';
import { orderReaches, payoutCall, payoutFields } from '../support/payouts';
import { runEntryPoint, type ChildHandle } from '../../devstack/child';
import { repoRoot } from '../../devstack/paths';
import { findOrderById } from '../../db/orders';
import { listChannelCalls } from '../../db/channel-calls';

// A payout's transfer is in flight at Alipay (the emulator has made it and holds its answer) when the worker process
// running it is killed with SIGKILL. A new worker process finishes the payout: the lost attempt is settled by
// alipay.fund.trans.common.query, never by a second transfer.
let s: AlipayStack;
const workers: ChildHandle[] = [];

function spawnWorker(): ChildHandle {
  const w = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...s.stack.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') }, { silent: true });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  // The adapter waits up to 2 s for Alipay; a transfer attempt not answered within 3 s (PAYOUT_TRANSFER_TIMEOUT) is lost.
  s = await startAlipayStack({ ALIPAY_TIMEOUT: '2s', PAYOUT_TRANSFER_TIMEOUT: '3s', PAYOUT_QUERY_SCHEDULE: '200ms', POLL_SCHEDULE: '1h' }, globalSetupBase(), { worker: false });
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop('SIGKILL')));
  await s?.stop();
});

describe('payout across a worker kill -9', () => {
  it('the worker dies while the transfer is in flight: a new worker settles it by query — one transfer at the channel, p0000, notified once', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const receiver = await new MerchantReceiver().start();
    try {
      const first = spawnWorker();
      await first.ready;
      // Alipay makes the transfer at once and answers only after 5 s: the request is in flight meanwhile.
      s.emulator.faults.gateway = [{ kind: 'timeout', method: 'alipay.fund.trans.uni.transfer', times: 1, delayMs: 5_000 }];
      const res = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '8.88', notifyUrl: receiver.url }));
      expect(res.body.respCode, res.body.respDesc).toBe('000000');
      const orderId = res.body.orderId!;
      await eventually(async () => s.emulator.transferRequests(orderId) === 1, 15_000, 'the transfer request at Alipay');

      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();
      expect((await findOrderById(s.stack.pool, orderId))!.payStatus).toBe('p0002');

      const second = spawnWorker();
      await second.ready;
      await orderReaches(s.stack, orderId, 'p0000', 45_000);
      await receiver.waitFor(1, 20_000);
      await eventually(async () => ((await findOrderById(s.stack.pool, orderId))?.notifyState === 'delivered' ? true : null), 20_000, 'delivered');

      // Exactly one transfer request reached Alipay, and one transfer was made.
      expect(s.emulator.transferRequests(orderId)).toBe(1);
      expect(s.emulator.transfer(orderId)).toMatchObject({ amount: '8.88' });
      const calls = await listChannelCalls(s.stack.pool, orderId);
      expect(calls.filter((c) => c.op === 'transfer')).toHaveLength(0); // the killed attempt never recorded its answer
      expect(calls.at(-1)).toMatchObject({ op: 'transfer_query', status: 'SUCCESS' });
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.body).toMatchObject({ orderId, payStatus: 'p0000', tradeType: '02', tradeAmt: '8.88' });
    } finally {
      await receiver.stop();
    }
  });
});
