import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { join } from 'node:path';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { runEntryPoint, type ChildHandle } from '../../devstack/child';
import { repoRoot } from '../../devstack/paths';
import { findOrderById } from '../../db/orders';
import { verifySignature } from '../../domain/signing';

// The worker runs as its own process (worker/main.ts), is killed with SIGKILL mid-order, and a new one finishes it.
let stack: TestStack;
const workers: ChildHandle[] = [];

function spawnWorker(): ChildHandle {
  const w = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...stack.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') }, { silent: true });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterAll(async () => {
  await Promise.allSettled(workers.map((w) => w.stop('SIGKILL')));
  await stack?.stop();
});

describe('worker crash', () => {
  it('an order survives SIGKILL of its worker: a new worker process completes it and notifies the merchant', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const first = spawnWorker();
      await first.ready;
      const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      expect(placed.body.respCode).toBe('000000');

      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();

      // Paid while no worker runs: the channel's report waits in Temporal.
      const channelOrderNo = new URL(placed.body.codeUrl!).pathname.split('/').pop()!;
      expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
      expect(receiver.received).toHaveLength(0);

      const second = spawnWorker();
      await second.ready;
      await receiver.waitFor(1, 45_000);
      const note = receiver.received[0]!.body;
      expect(note).toMatchObject({ orderId: placed.body.orderId, payStatus: 'p0000' });
      expect(verifySignature(note, merchant.signKey, 'MD5', note.signature!)).toBe(true);
      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, placed.body.orderId!);
        return o?.notifyState === 'delivered' ? o : null;
      }, 20_000, 'delivered');
      expect(order.payStatus).toBe('p0000');
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.stop();
    }
  });

  it('a worker killed during a notification retry: the attempt is retried by another worker after the 15 s heartbeat timeout, not the 30 s bound', async () => {
    const merchant = await testMerchant(stack.pool);
    // Attempt 1 (in the task that settled the order) is refused; attempt 2 (a regular activity) is held by the
    // merchant while its worker is killed; the retried attempt 2 is accepted.
    const receiver = await new MerchantReceiver([
      { kind: 'answer', body: 'fail' },
      { kind: 'delay', ms: 60_000, body: 'success' },
      { kind: 'answer', body: 'success' },
    ]).start();
    try {
      // This worker alone serves the stack's task queue: the one killed is the one holding the attempt.
      await Promise.all(workers.splice(0).map((w) => w.stop('SIGKILL')));
      const first = spawnWorker();
      await first.ready;
      const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      expect(placed.body.respCode).toBe('000000');
      const channelOrderNo = new URL(placed.body.codeUrl!).pathname.split('/').pop()!;
      expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
      await receiver.waitFor(2, 20_000);
      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();
      const second = spawnWorker();
      await second.ready;

      await receiver.waitFor(3, 45_000);
      const [, held, retried] = receiver.received;
      expect(held!.headers['x-notify-attempt']).toBe('2');
      expect(retried!.headers['x-notify-attempt']).toBe('2'); // the same attempt, retried: not the next scheduled one
      expect(retried!.headers['x-notify-id']).toBe(held!.headers['x-notify-id']);
      expect(retried!.body).toMatchObject({ orderId: placed.body.orderId, payStatus: 'p0000' });
      // Without a heartbeat the server would wait out the attempt's 30 s start-to-close bound from its start.
      expect(retried!.atMs - held!.atMs).toBeLessThan(27_000);
      const order = await eventually(async () => {
        const o = await findOrderById(stack.pool, placed.body.orderId!);
        return o?.notifyState === 'delivered' ? o : null;
      }, 20_000, 'delivered');
      expect(order.payStatus).toBe('p0000');
      await second.stop('SIGKILL');
    } finally {
      await receiver.stop();
    }
  }, 90_000);

  it('Ctrl-C stops a worker process cleanly: SIGINT to the group, then SIGTERM from npm start, exit code 0', async () => {
    const w = spawnWorker();
    await w.ready;
    w.child.kill('SIGINT');
    w.child.kill('SIGTERM');
    expect(await w.stop()).toBe(0);
  });
});
