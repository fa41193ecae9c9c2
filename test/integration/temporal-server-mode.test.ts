import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStackOn, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById } from '../../db/orders';
import { verifySignature } from '../../domain/signing';
import { isAlive } from '../../devstack/process';
import { serverToolsPresent } from '../../devstack/temporal-server-binary';
import { startTemporalPgServer } from '../../devstack/temporal-pg-server';
import type { TemporalServerHandle } from '../../devstack/temporal-server';

// TEMPORAL_MODE=server: the Temporal server itself (built by `npm run temporal:provision`) on the run's PostgreSQL,
// with databases of its own and 4 history shards. Paid orders go through it end to end, also across a kill -9 of the
// server. Not provisioned (`npm run temporal:provision -- --server`), the server is built with Go first, as the CLI
// is; skipped only on a machine with neither the binary nor a Go toolchain.
const goAvailable = spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
describe.skipIf(!serverToolsPresent() && !goAvailable)('Temporal server mode (server on PostgreSQL, 4 history shards)', () => {
  let dir: string;
  let server: TemporalServerHandle | undefined;
  let stack: TestStack;
  const prefix = `temporal_t${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const startServer = (port?: number) => startTemporalPgServer({
    rootDir: join(dir, 'temporal-server'), databaseUrl: inject('databaseUrl'), databasePrefix: prefix, historyShards: 4, port, build: true,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paydurable-tserver-'));
    server = await startServer();
    stack = await startStackOn(
      { databaseUrl: inject('databaseUrl'), temporalAddress: server.address, workflowBundlePath: inject('workflowBundlePath') },
      // The sandbox's payment report is retried quickly while the server is down.
      { SANDBOX_REPORT_SCHEDULE: '200ms,500ms,1s,1s,2s,2s,5s,5s,5s,5s,5s,5s,5s,5s,5s,5s' },
    );
  }, 600_000); // a cold build of the server takes about 4 minutes on 2 cores
  afterAll(async () => {
    await stack?.stop();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function placeOrder(notifyUrl: string, merchant: Awaited<ReturnType<typeof testMerchant>>) {
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl }));
    expect(placed.body.respCode).toBe('000000');
    return { orderId: placed.body.orderId!, channelOrderNo: new URL(placed.body.codeUrl!).pathname.split('/').pop()! };
  }

  async function expectDelivered(orderId: string, receiver: MerchantReceiver, merchant: Awaited<ReturnType<typeof testMerchant>>) {
    await receiver.waitFor(1, 60_000);
    const note = receiver.received[0]!.body;
    expect(note).toMatchObject({ orderId, payStatus: 'p0000' });
    expect(verifySignature(note, merchant.signKey, 'MD5', note.signature!)).toBe(true);
    const order = await eventually(async () => {
      const o = await findOrderById(stack.pool, orderId);
      return o?.notifyState === 'delivered' ? o : null;
    }, 30_000, 'delivered');
    expect(order.payStatus).toBe('p0000');
    expect(receiver.received).toHaveLength(1);
  }

  it('a paid order: unified order → sandbox pay → the merchant is notified once, signed', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, channelOrderNo } = await placeOrder(receiver.url, merchant);
      expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
      await expectDelivered(orderId, receiver, merchant);
    } finally {
      await receiver.stop();
    }
  }, 120_000);

  it('an order survives SIGKILL of the server: paid while it is down, completed after the restart', async () => {
    const merchant = await testMerchant(stack.pool);
    const receiver = await new MerchantReceiver().start();
    try {
      const { orderId, channelOrderNo } = await placeOrder(receiver.url, merchant);
      const { pid, address } = server!;
      process.kill(pid!, 'SIGKILL');
      await eventually(async () => !isAlive(pid!), 10_000, 'the killed server to be gone');

      // The payer pays while the server is down: the sandbox keeps its report and retries it.
      expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
      expect(receiver.received).toHaveLength(0);

      server = await startServer(Number(address.split(':')[1]));
      expect(server.address).toBe(address);
      await expectDelivered(orderId, receiver, merchant);
    } finally {
      await receiver.stop();
    }
  }, 180_000);
});
