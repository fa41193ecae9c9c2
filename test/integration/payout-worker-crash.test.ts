import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { eventually, globalSetupBase, startStack } from '../support/stack';
import { testMerchant, type TestStack } from '../support/stack-core';
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
let sandbox: TestStack;
const workers: ChildHandle[] = [];

function spawnWorker(stack: TestStack = s.stack): ChildHandle {
  const w = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...stack.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') }, { silent: true });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  // The adapter waits up to 2 s for Alipay; a transfer attempt not answered within 3 s (PAYOUT_TRANSFER_TIMEOUT) is lost.
  s = await startAlipayStack({ ALIPAY_TIMEOUT: '2s', PAYOUT_TRANSFER_TIMEOUT: '3s', PAYOUT_QUERY_SCHEDULE: '200ms', POLL_SCHEDULE: '1h' }, globalSetupBase(), { worker: false });
  sandbox = await startStack({ PAYOUT_TRANSFER_TIMEOUT: '3s', PAYOUT_QUERY_SCHEDULE: '200ms', POLL_SCHEDULE: '1h' }, { worker: false });
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop('SIGKILL')));
  await s?.stop();
  await sandbox?.stop();
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

  it('sandbox: the worker dies right after the payout is accepted (before, during or after its transfer): one transfer, p0000, notified once', async () => {
    const merchant = await testMerchant(sandbox.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const first = spawnWorker(sandbox);
      await first.ready;
      const res = await payoutCall(sandbox, merchant, payoutFields({ tradeAmt: '4.44', notifyUrl: receiver.url }));
      expect(res.body.respCode, res.body.respDesc).toBe('000000');
      const orderId = res.body.orderId!;
      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();

      const second = spawnWorker(sandbox);
      await second.ready;
      await orderReaches(sandbox, orderId, 'p0000', 45_000);
      await eventually(async () => ((await findOrderById(sandbox.pool, orderId))?.notifyState === 'delivered' ? true : null), 20_000, 'delivered');
      const { rows } = await sandbox.pool.query<{ requests: number; amount_fen: string }>('SELECT requests, amount_fen FROM sandbox_transfers WHERE out_biz_no = $1', [orderId]);
      expect(rows).toEqual([{ requests: 1, amount_fen: '444' }]);
      // Notified of the latest state: p0000 under one X-Notify-Id (a second copy only if the kill fell between a
      // delivery and its record — at least once, as every notification).
      const notes = receiver.forOrder(orderId);
      expect(notes.length).toBeGreaterThanOrEqual(1);
      expect(new Set(notes.map((n) => n.headers['x-notify-id']))).toEqual(new Set([`${orderId}-p0000`]));
      for (const n of notes) expect(n.body).toMatchObject({ payStatus: 'p0000', tradeType: '02' });
    } finally {
      await receiver.stop();
    }
  });
});
