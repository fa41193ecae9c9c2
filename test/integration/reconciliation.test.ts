import { afterAll, describe, expect, inject, it } from 'vitest';
import { join } from 'node:path';
import { runEntryPoint, type ChildHandle } from '../../devstack/child';
import { repoRoot } from '../../devstack/paths';
import { startAlipayEmulator } from '../../emulator/alipay';
import { randomUUID } from 'node:crypto';
import { eventually, merchantCall, payInSandbox, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { globalSetupBase } from '../support/stack';
import { withOwnDatabase } from '../support/own-database';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { refundCall, refundReaches } from '../support/refunds';
import { payer, startAlipayStack } from '../support/alipay';
import { startWechatpayStack, wechatPayer } from '../support/wechatpay';
import { payAtEmulator } from '../support/ipaynow';
import { startIpaynowStackOn } from '../support/ipaynow-stack';
import { startStackOn } from '../support/stack-core';
import { findOrderById, listEvents } from '../../db/orders';
import { findRefundByMercRefundNo } from '../../db/refunds';
import { listOpenReviews } from '../../db/order-reviews';
import { findRun, listDiscrepancies } from '../../db/recon';
import { previousShanghaiDate, shanghaiDateOf } from '../../domain/reconciliation';
import { reconDay } from '../support/recon-day';
import { ensureReconSchedules, reconScheduleId } from '../../reconciliation/schedules';
import type { ChannelName } from '../../domain/channels';
import { startReconRun } from '../../reconciliation/run';
import { createReconActivities } from '../../activities/reconciliation';
import { createLogger } from '../../config/logger';
import { deliverChannelReport } from '../../orders/channel-reports';
import { parseSandboxStatement, sandboxStatementFile } from '../../channels/sandbox/statement';
import { lateReportWorkflowId } from '../../domain/order';
import type { reconciliationWorkflow } from '../../workflows/reconciliation';

// Reconciliation per channel, end to end: real API + worker + Temporal + PostgreSQL (a database of its own, so that
// the day holds only this test's orders) and the channel's emulator (the sandbox: its own books), seeded with every
// discrepancy kind. The run of the day must count each, report the money taken into the closed order (p0000 late,
// merchant notified), put the mismatches in the human queue, and change nothing when run again.

interface Rig {
  stack: TestStack;
  mode: 'live' | 'test';
  paywayCode: string;
  /** The payer pays an order the API answered. */
  pay(answer: Record<string, string>): Promise<void>;
  /** Seeds the day's statement: amounts shown instead (by order or refund id), ids left off, extra paid orders. */
  seed(s: { amounts: Record<string, number>; omit: string[]; extra: { orderId: string; amountFen: number }[] }): Promise<void>;
  stop(): Promise<void>;
}

const postJson = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
};
const emulatorSeed = (url: string) => async (s: Parameters<Rig['seed']>[0]) => {
  await postJson(`${url}/_emulator/statement`, { amounts: s.amounts, omit: s.omit, extra: s.extra.map((e) => ({ type: 'pay', outTradeNo: e.orderId, amountFen: e.amountFen })) });
};

const RIGS: Record<ChannelName, () => Promise<Rig>> = {
  async sandbox() {
    const stack = await startStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '1h' });
    return {
      stack, mode: 'test', paywayCode: 'wxpay',
      async pay(answer) {
        const channelOrderNo = decodeURIComponent(new URL(answer.codeUrl!).pathname.split('/').pop()!);
        expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
      },
      // The sandbox's books are ours: seeded as its ledger would show the same facts.
      async seed(s) {
        for (const [id, fen] of Object.entries(s.amounts)) {
          await stack.pool.query('UPDATE sandbox_orders SET amount_fen = $2 WHERE order_id = $1', [id, fen]);
          await stack.pool.query('UPDATE sandbox_refunds SET amount_fen = $2 WHERE refund_id = $1', [id, fen]);
        }
        for (const id of s.omit) await stack.pool.query(`UPDATE sandbox_orders SET paid_at = paid_at - interval '3 days' WHERE order_id = $1`, [id]);
        for (const e of s.extra) {
          const paid = await stack.pool.query(`UPDATE sandbox_orders SET status = 'paid', paid_at = now(), amount_fen = $2 WHERE order_id = $1`, [e.orderId, e.amountFen]);
          if (paid.rowCount === 0) {
            await stack.pool.query(`INSERT INTO sandbox_orders (channel_order_no, order_id, amount_fen, subject, status, paid_at) VALUES ($1, $2, $3, 'seeded', 'paid', now())`,
              [`SBX${randomUUID().replace(/-/g, '')}`, e.orderId, e.amountFen]);
          }
        }
      },
      stop: () => stack.stop(),
    };
  },
  async alipay() {
    const s = await startAlipayStack({ POLL_SCHEDULE: '1h' }, await withOwnDatabase(globalSetupBase()));
    return {
      stack: s.stack, mode: 'live', paywayCode: 'alipay',
      async pay(answer) {
        await payer(s.emulator.url, 'scan', { outTradeNo: answer.orderId! });
        expect((await payer(s.emulator.url, 'pay', { outTradeNo: answer.orderId! })).status).toBe(200);
      },
      seed: emulatorSeed(s.emulator.url),
      stop: () => s.stop(),
    };
  },
  async wechatpay() {
    const s = await startWechatpayStack({ POLL_SCHEDULE: '1h' }, await withOwnDatabase(globalSetupBase()));
    return {
      stack: s.stack, mode: 'live', paywayCode: 'wxpay',
      async pay(answer) {
        expect((await wechatPayer(s.emulator.url, 'pay', { outTradeNo: answer.orderId! })).status).toBe(200);
      },
      seed: emulatorSeed(s.emulator.url),
      stop: () => s.stop(),
    };
  },
  async ipaynow() {
    const s = await startIpaynowStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '1h' });
    return {
      stack: s.stack, mode: 'live', paywayCode: 'wxpay',
      async pay(answer) {
        expect((await payAtEmulator(s.emulator.url, answer.orderId!)).status).toBe(200);
      },
      seed: emulatorSeed(s.emulator.url),
      stop: () => s.stop(),
    };
  },
};

const receivers: MerchantReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
});

async function placeOrder(rig: Rig, merchant: TestMerchant, tradeAmt: string) {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, paywayCode: rig.paywayCode, sceneCode: 'scan', tradeAmt });
  const res = await merchantCall(rig.stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  return { receiver, answer: res.body, orderId: res.body.orderId!, mercOrderNo: fields.mercOrderNo! };
}

const statusOf = async (stack: TestStack, orderId: string) => (await findOrderById(stack.pool, orderId))?.payStatus;
const reaches = (stack: TestStack, orderId: string, status: string) =>
  eventually(async () => ((await statusOf(stack, orderId)) === status ? true : null), 20_000, `order ${orderId} ${status}`);

async function runDay(stack: TestStack, channel: ChannelName, date: string) {
  const { workflowId } = await startReconRun(stack.client, stack.config, channel, date);
  return stack.client.workflow.getHandle<typeof reconciliationWorkflow>(workflowId).result();
}

describe.each(Object.keys(RIGS) as ChannelName[])('reconciliation of %s', (channel) => {
  it('counts every discrepancy kind, reports the money taken into the closed order, queues the mismatches; a rerun changes nothing', async () => {
    const date = await reconDay();
    const rig = await RIGS[channel]();
    try {
      const { stack } = rig;
      const merchant = await testMerchant(stack.pool, { mode: rig.mode });
      const paid = async (amt: string) => {
        const o = await placeOrder(rig, merchant, amt);
        await rig.pay(o.answer);
        await reaches(stack, o.orderId, 'p0000');
        return o;
      };
      const matched = await paid('1.00'); // on the statement as we have it; refunded in part below
      const differs = await paid('2.00'); // the channel shows another amount
      const missing = await paid('3.00'); // the channel does not list it
      // Closed at our side (and at the channel); the statement says it was paid after all.
      const closed = await placeOrder(rig, merchant, '4.00');
      const close = await merchantCall(stack.api.url, '/api/close', merchant, { orderId: closed.orderId });
      expect(close.body.respCode, close.body.respDesc).toBe('000000');
      await reaches(stack, closed.orderId, 'p0005');
      // A refund of the matched order, whose amount the channel shows otherwise.
      const mercRefundNo = `RF${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      const refunded = await refundCall(stack, merchant, { orderId: matched.orderId, mercRefundNo, refundAmt: '0.40' });
      expect(refunded.body.respCode, refunded.body.respDesc).toBe('000000');
      await refundReaches(stack, merchant, mercRefundNo, 'r0000');
      const refundId = (await findRefundByMercRefundNo(stack.pool, merchant.mercNo, mercRefundNo))!.refundId;
      const stranger = `P${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      await rig.seed({
        amounts: { [differs.orderId]: 199, [refundId]: 39 },
        omit: [missing.orderId],
        extra: [{ orderId: closed.orderId, amountFen: 400 }, { orderId: stranger, amountFen: 5 }],
      });

      const first = await runDay(stack, channel, date);
      const expected = { paid_not_ours: 1, unknown_order: 1, amount_mismatch: 1, paid_elsewhere: 0, missing_at_channel: 1, refund_mismatch: 1 };
      expect(first).toMatchObject({ channel, date, status: 'done', matched: 1, counts: expected });
      const run = (await findRun(stack.pool, channel, date))!;
      expect(run).toMatchObject({ status: 'done', attempts: 1, lines: 5, matched: 1, counts: expected, discrepancies: 5, channelPayFen: 100 + 199 + 400 + 5, channelRefundFen: 39 });

      // The money taken: the closed order becomes p0000, flagged late, and its merchant is told.
      await reaches(stack, closed.orderId, 'p0000');
      expect((await findOrderById(stack.pool, closed.orderId))!.latePayment).toBe(true);
      await eventually(async () => (closed.receiver.received.some((r) => r.body.payStatus === 'p0000') ? true : null), 20_000, 'the late payment notified');
      // The mismatches: one review each in the human queue.
      const queue = async () => (await listOpenReviews(stack.pool, { limit: 100, mercNo: merchant.mercNo })).reviews
        .filter((r) => (r.kind as string) === 'reconciliation').map((r) => [r.orderId, r.refundId]).sort();
      const reviews = [[differs.orderId, null], [missing.orderId, null], [matched.orderId, refundId]].sort();
      expect(await queue()).toEqual(reviews);
      const found = await listDiscrepancies(stack.pool, channel, date);
      expect(found.map((d) => [d.kind, d.outcome]).sort()).toEqual([
        ['amount_mismatch', 'review-opened'], ['missing_at_channel', 'review-opened'], ['paid_not_ours', expect.stringMatching(/^(workflow|follow-up)$/)],
        ['refund_mismatch', 'review-opened'], ['unknown_order', null],
      ].sort());

      // Run again: the late payment now matches; nothing is reported or queued twice.
      const events = (await listEvents(stack.pool, closed.orderId)).length;
      const second = await runDay(stack, channel, date);
      expect(second).toMatchObject({ status: 'done', matched: 2, counts: { ...expected, paid_not_ours: 0 } });
      expect(await findRun(stack.pool, channel, date)).toMatchObject({ attempts: 2, discrepancies: 4 });
      expect(await queue()).toEqual(reviews);
      expect((await listEvents(stack.pool, closed.orderId)).length).toBe(events);
      const again = await listDiscrepancies(stack.pool, channel, date);
      expect(again.map((d) => d.id).sort()).toEqual(found.map((d) => d.id).sort());
      expect(again.find((d) => d.kind === 'paid_not_ours')!.clearedAtMs).not.toBeNull();
    } finally {
      await rig.stop();
    }
  }, 120_000);
});

describe('the daily schedule', () => {
  it('a worker start creates recon:<channel> (daily, Asia/Shanghai) or updates it; a run it starts reconciles the previous day', async () => {
    const stack = await startStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '1h', RECON_AT: '03:30', RECON_CHANNELS: 'sandbox' });
    const handle = stack.client.schedule.getHandle(reconScheduleId('sandbox'));
    try {
      const described = await handle.describe();
      expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
      expect(described.spec.timezone).toBe('Asia/Shanghai');
      expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconciliationWorkflow', taskQueue: stack.config.temporal.taskQueue });
      // Another start with another time: the same schedule, brought up to date.
      expect(await ensureReconSchedules(stack.client, { ...stack.config, recon: { ...stack.config.recon, at: { hour: 4, minute: 15 } } })).toEqual(['recon:sandbox']);
      expect((await handle.describe()).spec.calendars?.[0]).toMatchObject({ hour: [{ start: 4, end: 4, step: 1 }], minute: [{ start: 15, end: 15, step: 1 }] });

      const before = Date.now();
      await handle.trigger();
      const yesterday = previousShanghaiDate(before);
      const run = await eventually(async () => {
        const r = await findRun(stack.pool, 'sandbox', yesterday);
        return r?.status === 'done' ? r : null;
      }, 20_000, 'the scheduled run of yesterday');
      expect(run).toMatchObject({ lines: 0, discrepancies: 0, workflowId: expect.stringMatching(/^recon:sandbox:scheduled/) });
    } finally {
      await handle.delete().catch(() => undefined);
      await stack.stop();
    }
  });
});

describe('a statement that cannot be had', () => {
  it('is asked for again along RECON_RETRY_SCHEDULE, then the run is recorded failed with the reason; a later run of the day succeeds', async () => {
    const s = await startAlipayStack({ POLL_SCHEDULE: '1h', RECON_RETRY_SCHEDULE: '50ms' }, await withOwnDatabase(globalSetupBase()));
    try {
      const date = shanghaiDateOf(Date.now());
      // Three system errors: the run's two attempts meet two of them; the next run meets the third, then gets the bill.
      s.emulator.faults.gateway = [{ kind: 'system_error', method: 'alipay.data.dataservice.bill.downloadurl.query', times: 3 }];
      const failed = await runDay(s.stack, 'alipay', date);
      expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('ACQ.SYSTEM_ERROR') });
      expect(await findRun(s.stack.pool, 'alipay', date)).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringContaining('ACQ.SYSTEM_ERROR') });
      const done = await runDay(s.stack, 'alipay', date);
      expect(done).toMatchObject({ status: 'done', lines: 0 });
      expect(await findRun(s.stack.pool, 'alipay', date)).toMatchObject({ status: 'done', attempts: 2, error: null });
      expect(s.emulator.faults.gateway).toEqual([]);
      const counted = await s.stack.worker!.metrics.registry.getSingleMetricAsString('paydurable_recon_runs_total');
      expect(counted).toContain('paydurable_recon_runs_total{channel="alipay",status="failed"} 1');
      expect(counted).toContain('paydurable_recon_runs_total{channel="alipay",status="done"} 1');
    } finally {
      await s.stop();
    }
  });
});

describe('acting twice on one finding', () => {
  it('a report delivered by an act that died before recording it is delivered again: the order is paid late once, notified once', async () => {
    const date = await reconDay();
    const rig = await RIGS.sandbox();
    try {
      const { stack } = rig;
      const merchant = await testMerchant(stack.pool, { mode: rig.mode });
      const closed = await placeOrder(rig, merchant, '4.00');
      expect((await merchantCall(stack.api.url, '/api/close', merchant, { orderId: closed.orderId })).body.respCode).toBe('000000');
      await reaches(stack, closed.orderId, 'p0005');
      const order = (await findOrderById(stack.pool, closed.orderId))!;
      await stack.client.workflow.getHandle(order.workflowId).result(); // the order's workflow has closed: the follow-up takes the report
      await rig.seed({ amounts: {}, omit: [], extra: [{ orderId: closed.orderId, amountFen: 400 }] });
      const ref = { channel: 'sandbox' as const, date };
      let deliveries = 0;
      const acts = createReconActivities({
        pool: stack.pool, log: createLogger('silent', 'test'), statements: { sandbox: async (d) => parseSandboxStatement(await sandboxStatementFile(stack.pool, d)) },
        deliver: async (o, report) => {
          const handed = await deliverChannelReport({ temporal: stack.client, pool: stack.pool, config: stack.config }, o, report);
          // The process dies right after the hand-over, before the finding is marked acted on.
          if (++deliveries === 1) throw new Error('worker killed after delivering');
          return handed;
        },
      });
      await acts.reconDownload({ ...ref, workflowId: 'recon:test', runId: 'r1' });
      expect((await acts.reconCompare(ref)).counts.paid_not_ours).toBe(1);
      await expect(acts.reconAct(ref)).rejects.toThrow('worker killed after delivering');
      expect(await acts.reconAct(ref)).toEqual({ acted: 1 }); // the retry delivers again, and records it
      expect(await acts.reconAct(ref)).toEqual({ acted: 0 });
      expect(deliveries).toBe(2);
      await reaches(stack, closed.orderId, 'p0000');
      await eventually(async () => (closed.receiver.received.some((r) => r.body.payStatus === 'p0000') ? true : null), 20_000, 'the late payment notified');
      await stack.client.workflow.getHandle(lateReportWorkflowId(merchant.mercNo, closed.mercOrderNo)).result();
      const events = await listEvents(stack.pool, closed.orderId);
      expect(events.filter((e) => e.type === 'late_payment')).toHaveLength(1);
      expect(closed.receiver.received.filter((r) => r.body.payStatus === 'p0000')).toHaveLength(1);
      expect((await listDiscrepancies(stack.pool, 'sandbox', date)).map((d) => [d.kind, d.outcome])).toEqual([['paid_not_ours', 'follow-up']]);
    } finally {
      await rig.stop();
    }
  }, 120_000);
});

describe('a worker killed during a run', () => {
  it('SIGKILL of the worker while the run waits to ask for the statement again: a new worker finishes the same run', async () => {
    const emulator = await startAlipayEmulator({ notifyScale: 0.001 });
    const app = emulator.createApp();
    const base = await withOwnDatabase(globalSetupBase());
    const stack = await startStackOn(base, {
      DEFAULT_CHANNEL: 'alipay', ALIPAY_APP_ID: app.appId, ALIPAY_PRIVATE_KEY: app.privateKey, ALIPAY_PUBLIC_KEY: app.alipayPublicKey,
      ALIPAY_GATEWAY_URL: emulator.gatewayUrl, ALIPAY_TIMEOUT: '2s', POLL_SCHEDULE: '1h', RECON_RETRY_SCHEDULE: '5s',
    }, { worker: false });
    const workers: ChildHandle[] = [];
    const spawnWorker = async () => {
      const w = runEntryPoint(join(repoRoot, 'worker/main.ts'), { ...stack.env, WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath') }, { silent: true });
      workers.push(w);
      await w.ready;
      return w;
    };
    try {
      const first = await spawnWorker();
      const date = await reconDay();
      emulator.faults.gateway = [{ kind: 'system_error', method: 'alipay.data.dataservice.bill.downloadurl.query', times: 1 }];
      const { workflowId } = await startReconRun(stack.client, stack.config, 'alipay', date);
      // The first download met the fault: the run waits 5 s to ask again. The worker dies then.
      await eventually(async () => (emulator.faults.gateway.length === 0 && (await findRun(stack.pool, 'alipay', date))?.status === 'running' ? true : null), 20_000, 'the first download failed');
      first.child.kill('SIGKILL');
      expect(await first.stop()).toBeNull();
      await spawnWorker();
      const result = await stack.client.workflow.getHandle<typeof reconciliationWorkflow>(workflowId).result();
      expect(result).toMatchObject({ status: 'done', lines: 0 });
      expect(await findRun(stack.pool, 'alipay', date)).toMatchObject({ status: 'done', attempts: 1, error: null });
    } finally {
      await Promise.allSettled(workers.map((w) => w.stop('SIGKILL')));
      await stack.stop();
      await emulator.stop();
    }
  }, 120_000);
});
