import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, globalSetupBase, merchantCall, startStackOn, testMerchant, type TestStack } from '../support/stack';
import { withOwnDatabase } from '../support/own-database';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { listChannelCalls } from '../../db/channel-calls';
import { listEvents } from '../../db/orders';
import { runEntryPoint, type ChildHandle } from '../../devstack/child';
import { repoRoot } from '../../devstack/paths';

// The poller as a process of its own (polling/main.ts, `npm run start:poller`) beside a worker run with
// WORKER_POLLS=false. A database of its own, so that no other stack's poller can poll this stack's order.
let stack: TestStack;
const pollers: ChildHandle[] = [];

beforeAll(async () => {
  stack = await startStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '100ms', WORKER_POLLS: 'false' });
});
afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop('SIGKILL')));
  await stack?.stop();
});

const startPollerProcess = (): ChildHandle => {
  const p = runEntryPoint(join(repoRoot, 'polling/main.ts'), { ...stack.env, POLLER_NICE: '10', LOG_LEVEL: 'warn' }, { silent: true });
  pollers.push(p);
  return p;
};
/** A process's nice value: the 19th field of /proc/PID/stat (the 17th after the command name's closing parenthesis). */
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
const pollState = async (orderId: string) =>
  (await stack.pool.query<{ poll_count: number; overdue: boolean }>(
    "SELECT poll_count, next_poll_at < now() - interval '1 second' AS overdue FROM orders WHERE order_id = $1", [orderId])).rows[0]!;
/** The worker's `paydurable_poll_backlog_seconds`, as a scrape of its metrics reads it. */
const pollBacklog = async () => Number(/^paydurable_poll_backlog_seconds (\S+)$/m.exec(await stack.worker!.metrics.registry.metrics())?.[1] ?? NaN);
const answeredPending = async (orderId: string) =>
  (await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'query' && c.status === 'PENDING').reduce((n, c) => n + c.repeats, 0);

describe('the poller process', () => {
  it('polls what a WORKER_POLLS=false worker leaves alone, at its lower priority, and a kill -9 of it loses no payment', async () => {
    const receiver = await new MerchantReceiver().start();
    try {
      const merchant = await testMerchant(stack.pool);
      const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
      expect(placed.body.respCode).toBe('000000');
      const orderId = placed.body.orderId!;
      // Due every 100 ms: once it is a second overdue, the worker has had ten chances to poll it and took none.
      const overdue = await eventually(async () => { const s = await pollState(orderId); return s.overdue ? s : null; }, 10_000, 'the order a second overdue');
      expect(overdue.poll_count).toBe(0);
      // What an operator sees meanwhile: the worker reports the poll backlog (nothing polls, so it only grows).
      const backlog = await pollBacklog();
      expect(backlog).toBeGreaterThanOrEqual(1);
      await eventually(async () => (await pollBacklog()) > backlog + 0.5, 10_000, 'the backlog growing');

      const first = startPollerProcess();
      await first.ready;
      expect(niceOf(first.child.pid!)).toBe(10);
      await eventually(async () => (await answeredPending(orderId)) >= 2, 15_000, 'two PENDING answers from the poller process');
      // Killed mid-polling; the payment then happens with its callback lost, and only polling can find it.
      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();
      await stack.pool.query("UPDATE sandbox_orders SET status = 'paid', paid_at = now() WHERE order_id = $1", [orderId]);

      const second = startPollerProcess();
      await second.ready;
      await receiver.waitFor(1, 20_000);
      expect(receiver.received[0]!.body).toMatchObject({ orderId, payStatus: 'p0000' });
      const paid = (await listEvents(stack.pool, orderId)).find((e) => e.type === 'paid');
      expect(paid?.detail).toMatchObject({ source: 'poll' });
      // Paid, nothing is due any more: the backlog is back to 0.
      await eventually(async () => (await pollBacklog()) === 0, 10_000, 'no poll backlog');
    } finally {
      await receiver.stop();
    }
  });
});
