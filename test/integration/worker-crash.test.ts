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

  it('Ctrl-C stops a worker process cleanly: SIGINT to the group, then SIGTERM from npm start, exit code 0', async () => {
    const w = spawnWorker();
    await w.ready;
    w.child.kill('SIGINT');
    w.child.kill('SIGTERM');
    expect(await w.stop()).toBe(0);
  });
});
