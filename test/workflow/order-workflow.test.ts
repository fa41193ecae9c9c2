import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../../activities';
import type { ChannelCreateResult, ChannelStatus } from '../../domain/channels';
import type { DeliveryRequest } from '../../activities/notify-delivery';
import {
  channelReportSignal, closeOrderUpdate, createOrderUpdate, notifyControlSignal, orderStateQuery, resolveReviewUpdate,
  type OrderWorkflowInput,
} from '../../workflows/definitions';
import type { orderWorkflow } from '../../workflows/order';
import type { OrderDraft, OrderStateView } from '../../domain/order';
import { PayStatus } from '../../domain/pay-status';
import { SA } from '../../workflows/search-attributes';
import { ApplicationFailure } from '@temporalio/activity';
import { WorkflowFailedError } from '@temporalio/client';
import { IDENTITY_MISMATCH } from '../../activities/order-records';
import { createOpenAndCreate } from '../../activities/open-and-create';
import pino from 'pino';
import { eventually } from '../support/stack';

// The order workflow on the real Temporal dev server with stub activities and millisecond schedules.

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* installed */
}

interface Fake {
  transitions: { to: string; eventType: string }[];
  /** Event keys of the transitions written (a repeat of one writes nothing, as in the read model). */
  eventKeys?: Set<string>;
  deliveries: DeliveryRequest[];
  queries: number;
  closes: number;
  channelState: ChannelStatus;
  /** Channel states the next queries answer before falling back to channelState. */
  queryAnswers: ChannelStatus[];
  merchantAnswers: boolean[];
  reviews: { kind: string; reason: string }[];
  resolutions: { decision: string; actor: string; to: string | null }[];
  /** The read model refuses writes into these statuses, holding the paired status instead (a lost task's decision). */
  held?: Partial<Record<string, PayStatus>>;
  /** The next channel queries fail with an infrastructure error (the activity throws). */
  queryFailures?: number;
  /** The next transitions fail with an infrastructure error (the activity throws). */
  transitionFailures?: number;
  /** openOrder finds the merchant order under another orderId. */
  identityMismatch?: boolean;
  /** What each channel answers a create (default CREATED). */
  createAnswers?: Partial<Record<string, ChannelCreateResult>>;
  /** Channels asked to create, in order, and the failovers between them. */
  creates?: string[];
  switches?: { from: string; to: string; result: string }[];
  /** The next notification attempts find the merchant's endpoint paused (endpoint health): held, not sent. */
  endpointPaused?: boolean[];
  /** Held attempts (not sent). */
  holds?: DeliveryRequest[];
  /** Awaited by a held attempt before it answers (to signal while the activity runs). */
  holdGate?: Promise<void>;
}

function fakeActivities(f: Fake): OrderActivities {
  const acts: Omit<OrderActivities, 'openAndCreate'> = {
    async openOrder() {
      if (f.identityMismatch) throw ApplicationFailure.create({ type: IDENTITY_MISMATCH, nonRetryable: true, message: 'already has another orderId' });
    },
    async transition(t) {
      if ((f.transitionFailures ?? 0) > 0) {
        f.transitionFailures!--;
        throw new Error('database unavailable');
      }
      const held = f.held?.[t.to];
      if (held) return { applied: false, payStatus: held, tradeEndTime: '20261122100500', latePayment: false };
      // As the read model: a repeat of a transition already written (its event key recorded) is answered as applied
      // and writes nothing. A local activity runs again when its workflow task is rejected (a signal came in while
      // the task completed the workflow), so a repeat is normal, not a second transition.
      if ((f.eventKeys ??= new Set()).has(t.eventKey)) return { applied: true, payStatus: t.to, tradeEndTime: t.tradeEndTime ?? null, latePayment: t.latePayment ?? false };
      f.eventKeys.add(t.eventKey);
      f.transitions.push({ to: t.to, eventType: t.eventType });
      return { applied: true, payStatus: t.to, tradeEndTime: t.tradeEndTime ?? null, latePayment: t.latePayment ?? false };
    },
    async savePayAnswer() {},
    async recordOrderEvent() {},
    async setNotifyState() {},
    async nextNotifyAttempt() {
      return f.deliveries.length + 1;
    },
    async switchChannel(a) {
      f.switches?.push({ from: a.from, to: a.to, result: a.result });
    },
    async channelCreate(a) {
      f.creates?.push(a.channel);
      const answer = f.createAnswers?.[a.channel];
      if (answer) return answer;
      return { kind: 'CREATED', channelOrderNo: `C${a.order.orderId}`, credential: { codeUrl: `https://pay.example/${a.order.orderId}` } };
    },
    async channelQuery() {
      f.queries++;
      if ((f.queryFailures ?? 0) > 0) {
        f.queryFailures!--;
        throw new Error('database unavailable');
      }
      return f.queryAnswers.shift() ?? f.channelState;
    },
    async openReview(r) {
      f.reviews.push({ kind: r.kind, reason: r.reason });
    },
    async resolveReview(r) {
      f.resolutions.push({ decision: r.decision, actor: r.actor, to: r.transition?.to ?? null });
      if (r.transition) f.transitions.push({ to: r.transition.to, eventType: r.transition.eventType });
    },
    async channelClose() {
      f.closes++;
      return f.channelState.status === 'SUCCESS' ? f.channelState : { status: 'FAIL', reason: 'closed' };
    },
    // The refund side of the activities (workflows/refund.ts); the order workflow never calls them.
    channelRefund: async () => ({ status: 'UNKNOWN', reason: 'not in this test' }),
    channelRefundQuery: async () => ({ status: 'UNKNOWN', reason: 'not in this test' }),
    refundTransition: async (a) => a.to,
    openRefundReview: async () => undefined,
    setRefundNotifyState: async () => undefined,
    channelTransfer: async () => ({ status: 'UNKNOWN', reason: 'not in this test' }),
    channelTransferQuery: async () => ({ status: 'UNKNOWN', reason: 'not in this test' }),
    payoutTransition: async (a) => ({ applied: true, payStatus: a.to, tradeEndTime: a.tradeEndTime ?? null, latePayment: false }),
    recordPayoutApproval: async () => undefined,
    async deliverNotification(req) {
      if (req.holdIfEndpointPaused && f.endpointPaused?.shift()) {
        (f.holds ??= []).push(req);
        await f.holdGate;
        return { delivered: false, endpointPaused: true, httpStatus: null, latencyMs: 0, error: 'endpoint paused', notifyState: 'paused' };
      }
      f.deliveries.push(req);
      const delivered = f.merchantAnswers.shift() ?? true;
      return {
        delivered, httpStatus: 200, latencyMs: 1, error: null,
        notifyState: delivered ? 'delivered' : req.nextDelayMs === null ? 'exhausted' : 'pending',
      };
    },
  };
  // The unified order's first task in one activity, over these same fake steps (as the worker composes it).
  return { ...acts, ...createOpenAndCreate(acts, pino({ level: 'silent' })) };
}

let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;
const taskQueue = `wf-test-${randomUUID()}`;
const fakes = new Map<string, Fake>();

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
});

/** Runs `body` with a worker whose activities are the fake (one fake per test, routed by mercNo). */
async function withWorker<T>(f: Fake, body: (mercNo: string) => Promise<T>): Promise<T> {
  const mercNo = `M${randomUUID().slice(0, 8)}`;
  fakes.set(mercNo, f);
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: `${taskQueue}-${mercNo}`,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: fakeActivities(f),
  });
  return worker.runUntil(body(mercNo));
}

function input(mercNo: string, over: Partial<OrderWorkflowInput> = {}, expireInMs = 60_000): OrderWorkflowInput {
  const draft: OrderDraft = {
    mercNo, mercOrderNo: `O${randomUUID().slice(0, 8)}`, subject: 's', tradeType: '01', amountFen: 123, feeType: 'CNY',
    tradeTime: '20261122100000', orderPeriodMin: 1, expireAtMs: Date.now() + expireInMs, notifyUrl: 'http://m/n',
    returnUrl: 'http://m/r', termType: 'wap', paywayCode: 'alipay', sceneCode: 'scan', ip: '127.0.0.1', signType: 'MD5',
  };
  return {
    orderId: `2026112210${randomUUID().replace(/\D/g, '').padEnd(22, '0').slice(0, 22)}`,
    draft, requestHash: 'h1', channel: 'sandbox',
    timing: { notifyRetryScheduleMs: [20, 40, 60] },
    notifyStatuses: [PayStatus.PAID, PayStatus.EXPIRED], ...over,
  };
}

async function start(mercNo: string, inp: OrderWorkflowInput, requestHash = inp.requestHash) {
  const op = new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
    workflowId: `wf:${inp.draft.mercNo}:${inp.draft.mercOrderNo}`, taskQueue: `${taskQueue}-${mercNo}`,
    workflowIdConflictPolicy: 'USE_EXISTING', args: [inp],
  });
  const answer = await client.workflow.executeUpdateWithStart(createOrderUpdate, { args: [{ requestHash }], startWorkflowOperation: op });
  return { answer, handle: await op.workflowHandle() };
}

const newFake = (over: Partial<Fake> = {}): Fake => ({
  transitions: [], deliveries: [], queries: 0, closes: 0, channelState: { status: 'PENDING' }, queryAnswers: [],
  merchantAnswers: [], reviews: [], resolutions: [], ...over,
});

describe('order workflow', () => {
  it('answers the update with the credential, the same answer to a repeat, conflict to other parameters', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo);
      const { answer, handle } = await start(mercNo, inp);
      expect(answer).toMatchObject({ kind: 'ok', data: { tradeAmt: '1.23', codeUrl: expect.stringContaining('https://pay.example/') } });
      expect((await start(mercNo, inp)).answer).toEqual(answer);
      expect((await start(mercNo, inp, 'other')).answer).toEqual({ kind: 'conflict' });
      expect((await handle.query(orderStateQuery)).payStatus).toBe('p0002');
      await handle.terminate('test done');
    });
  });

  it('a p0002 write that fails after the channel created the order is written by the workflow; the channel is asked once', async () => {
    const f = newFake({ transitionFailures: 1, creates: [] });
    await withWorker(f, async (mercNo) => {
      const { answer, handle } = await start(mercNo, input(mercNo));
      expect(answer).toMatchObject({ kind: 'ok', data: { codeUrl: expect.stringContaining('https://pay.example/') } });
      expect(f.creates).toEqual(['sandbox']);
      expect(f.transitions.map((t) => t.to)).toEqual(['p0002']);
      expect((await handle.query(orderStateQuery)).payStatus).toBe('p0002');
      await handle.terminate('test done');
    });
  });

  it('a callback pays the order; duplicate callbacks change nothing; notification delivered first time', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      const paid = { source: 'callback' as const, result: { status: 'SUCCESS' as const, paidAtMs: Date.now(), amountFen: 123 } };
      await Promise.all([handle.signal(channelReportSignal, paid), handle.signal(channelReportSignal, paid)]);
      const state = await handle.result();
      expect(state.payStatus).toBe('p0000');
      expect(f.transitions.map((t) => t.to)).toEqual(['p0002', 'p0000']);
      // Delivered at the first attempt. The second callback may arrive while the task that delivers and completes is
      // being answered; the server then rejects that task and its local activities run again (at least once): the
      // same notification, never another one.
      expect(f.deliveries.length).toBeGreaterThanOrEqual(1);
      expect(f.deliveries.every((d) => d.payStatus === 'p0000' && d.notifyId === f.deliveries[0]!.notifyId)).toBe(true);
      expect(f.deliveries[0]!.attempt).toBe(1);
      expect(state.notify.state).toBe('delivered');
    });
  });

  it('a poll result reported by the poller settles the order like a callback', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      await handle.signal(channelReportSignal, { source: 'poll', result: { status: 'FAIL', reason: 'declined by the bank' } });
      const state = await handle.result();
      expect(state.payStatus).toBe('p0004');
      expect(f.transitions.map((t) => t.eventType)).toEqual(['channel_created', 'failed']);
      expect(f.queries).toBe(0); // the workflow itself never polls
    });
  });

  it('expires at tradeTime + orderPeriod: one final query, a close at the channel, p0006 — no polling in between', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const started = Date.now();
      const { handle } = await start(mercNo, input(mercNo, { timing: { notifyRetryScheduleMs: [10] } }, 700));
      const state = await handle.result();
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(state.payStatus).toBe('p0006');
      expect(f.queries).toBe(1);
      expect(f.closes).toBe(1);
      expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0006']);
    });
  });

  it('at expiry a channel that reports the order paid after all makes it p0000, not p0006', async () => {
    const f = newFake({ channelState: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, {}, 300));
      const state = await handle.result();
      expect(state).toMatchObject({ payStatus: 'p0000', latePayment: false });
      expect(f.closes).toBe(0);
    });
  });

  it('retries the notification on the schedule until success, then stops', async () => {
    const f = newFake({ merchantAnswers: [false, false, true] });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      const state = await handle.result();
      expect(f.deliveries.map((d) => [d.attempt, d.nextDelayMs])).toEqual([[1, 20], [2, 40], [3, 60]]);
      expect(new Set(f.deliveries.map((d) => d.notifyId)).size).toBe(1);
      expect(state.notify).toMatchObject({ state: 'delivered', attempts: 3 });
    });
  });

  it('marks the notification exhausted after the last scheduled attempt', async () => {
    const f = newFake({ merchantAnswers: [false, false, false, false, false] });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      const state = await handle.result();
      expect(f.deliveries).toHaveLength(4);
      expect(f.deliveries.at(-1)!.nextDelayMs).toBeNull();
      expect(state.notify).toMatchObject({ state: 'exhausted', attempts: 4 });
    });
  });

  it('a payment reported while the p0006 notification is pending supersedes it: p0000 is notified, p0006 never again', async () => {
    const f = newFake({ merchantAnswers: [false, true] });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo, { timing: { notifyRetryScheduleMs: [5_000, 5_000] } }, 300);
      const { handle } = await start(mercNo, inp);
      // Wait until the first p0006 attempt has failed, then the channel reports the money taken.
      for (let i = 0; i < 200 && (await handle.query(orderStateQuery)).notify.attempts < 1; i++) await new Promise((r) => setTimeout(r, 25));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      const state = await handle.result();
      expect(state).toMatchObject({ payStatus: 'p0000', latePayment: true });
      expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0006', 'p0000']);
      expect(f.transitions.map((t) => t.eventType)).toEqual(['channel_created', 'expired', 'late_payment']);
    });
  });

  it('close: an unpaid order is closed at the channel and cancelled (p0005); closing again answers the same', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, { notifyStatuses: [PayStatus.PAID] }));
      expect(await handle.executeUpdate(closeOrderUpdate)).toEqual({ kind: 'closed', payStatus: 'p0005' });
      const state = await handle.result();
      expect(state.payStatus).toBe('p0005');
      expect(f.closes).toBe(1);
      expect(f.deliveries).toHaveLength(0); // p0005 is not among this merchant's notified states
      expect(f.transitions.map((t) => t.to)).toEqual(['p0002', 'p0005']);
    });
  });

  it('a transition the read model refuses because it holds another status (an earlier task attempt decided it) is adopted, and that status is notified', async () => {
    // E.g. the worker died after writing p0005 for a close; the retried task saw a FAIL poll report first and wanted p0004.
    const f = newFake({ held: { [PayStatus.FAILED]: PayStatus.CANCELLED } });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, { notifyStatuses: [PayStatus.PAID, PayStatus.FAILED, PayStatus.CANCELLED] }));
      await handle.signal(channelReportSignal, { source: 'poll', result: { status: 'FAIL', reason: 'closed' } });
      const state = await handle.result();
      expect(state.payStatus).toBe('p0005');
      expect(state.tradeEndTime).toBe('20261122100500');
      expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0005']);
    });
  });

  it('a step whose activity runs out of attempts is escalated (Attention = stalled:<step>), tried again later, and cleared once through', async () => {
    // Two attempts per round: the first round fails, the retry round fails once more, then the query answers.
    const f = newFake({ queryFailures: 3, channelState: { status: 'FAIL', reason: 'closed' } });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo, { timing: { notifyRetryScheduleMs: [20], stall: { maxAttempts: 2, retryAfterMs: 1500 } } }, 300);
      const { handle } = await start(mercNo, inp);
      const attention = async () => (await handle.describe()).typedSearchAttributes.get(SA.attention);
      await eventually(async () => (await attention()) === 'stalled:channelQuery', 15_000, 'stalled attention');
      const state = await handle.result();
      expect(state.payStatus).toBe('p0006');
      expect(f.queries).toBe(4);
      expect(await attention()).toBeUndefined();
    });
  });

  it('a broken order identity is not a stall: the workflow fails at once, loudly, without retrying', async () => {
    const f = newFake({ identityMismatch: true });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo);
      const op = new WithStartWorkflowOperation<typeof orderWorkflow>('orderWorkflow', {
        workflowId: `wf:${inp.draft.mercNo}:${inp.draft.mercOrderNo}`, taskQueue: `${taskQueue}-${mercNo}`,
        workflowIdConflictPolicy: 'USE_EXISTING', args: [inp],
      });
      await expect(client.workflow.executeUpdateWithStart(createOrderUpdate, { args: [{ requestHash: 'h1' }], startWorkflowOperation: op })).rejects.toThrow();
      const err = await (await op.workflowHandle()).result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe(IDENTITY_MISMATCH);
      expect(f.transitions).toHaveLength(0);
    });
  });

  it('close: a channel that says the order was paid turns the close into p0000, and the close is refused', async () => {
    const f = newFake({ channelState: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      expect(await handle.executeUpdate(closeOrderUpdate)).toEqual({ kind: 'not-allowed', payStatus: 'p0000' });
      expect((await handle.result()).payStatus).toBe('p0000');
    });
  });

  it('support controls: pause holds attempts, resume attempts at once, redirect changes the URL, replay skips the wait', async () => {
    const f = newFake({ merchantAnswers: [false, false, false, true] });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo, { timing: { notifyRetryScheduleMs: [60_000, 60_000, 60_000] } });
      const { handle } = await start(mercNo, inp);
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      const attempts = async (n: number) => {
        for (let i = 0; i < 400 && (await handle.query(orderStateQuery)).notify.attempts < n; i++) await new Promise((r) => setTimeout(r, 25));
        return (await handle.query(orderStateQuery)).notify;
      };
      expect((await attempts(1)).state).toBe('pending');
      // Replay: the next attempt comes now instead of in 60 s.
      await handle.signal(notifyControlSignal, { action: 'replay' });
      expect((await attempts(2)).attempts).toBe(2);
      // Pause, then replay: nothing happens while paused.
      await handle.signal(notifyControlSignal, { action: 'pause' });
      await handle.signal(notifyControlSignal, { action: 'replay' });
      const paused = await handle.query(orderStateQuery);
      expect(paused.notify).toMatchObject({ state: 'paused', paused: true, attempts: 2 });
      // Redirect and resume: the next attempt goes at once, to the new URL.
      await handle.signal(notifyControlSignal, { action: 'redirect', url: 'http://elsewhere/notify' });
      await handle.signal(notifyControlSignal, { action: 'resume' });
      await attempts(3);
      expect(f.deliveries[2]!.url).toBe('http://elsewhere/notify');
      await handle.signal(notifyControlSignal, { action: 'replay' });
      const state = await handle.result();
      expect(state.notify).toMatchObject({ state: 'delivered', attempts: 4 });
      expect(f.deliveries.map((d) => d.attempt)).toEqual([1, 2, 3, 4]);
    });
  });

  it('endpoint health: a held notification uses no attempt, waits without a timer for the endpoint resume, then is attempted at once', async () => {
    const f = newFake({ endpointPaused: [true], merchantAnswers: [true] });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, { timing: { notifyRetryScheduleMs: [20, 40] } }));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      const held = await until(handle, (st) => st.notify.heldByEndpoint === true, 'the notification held');
      expect(held.notify).toMatchObject({ state: 'paused', attempts: 0 });
      expect(f.holds!.map((h) => [h.attempt, h.holdIfEndpointPaused])).toEqual([[1, true]]);
      // An order-level resume is not the endpoint's: the hold stays.
      await handle.signal(notifyControlSignal, { action: 'resume' });
      expect((await handle.query(orderStateQuery)).notify.heldByEndpoint).toBe(true);
      expect(f.deliveries).toHaveLength(0);
      await handle.signal(notifyControlSignal, { action: 'endpoint-resume' });
      const state = await handle.result();
      expect(state.notify).toMatchObject({ state: 'delivered', attempts: 1, heldByEndpoint: false });
      expect(f.deliveries.map((d) => d.attempt)).toEqual([1]);
    });
  });

  it('endpoint health: a newer state while held replaces the held one; after the resume only the latest is delivered, once', async () => {
    const f = newFake({ endpointPaused: [true, true], merchantAnswers: [true] });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, { timing: { notifyRetryScheduleMs: [20, 40] } }, 300));
      await until(handle, (st) => st.payStatus === 'p0006' && st.notify.heldByEndpoint === true, 'the p0006 notification held');
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      await until(handle, (st) => st.payStatus === 'p0000' && st.notify.heldByEndpoint === true, 'the p0000 notification held');
      expect(f.holds!.map((h) => h.payStatus)).toEqual(['p0006', 'p0000']);
      await handle.signal(notifyControlSignal, { action: 'endpoint-resume' });
      const state = await handle.result();
      expect(state).toMatchObject({ payStatus: 'p0000', latePayment: true });
      expect(f.deliveries.map((d) => [d.payStatus, d.attempt])).toEqual([['p0000', 1]]);
    });
  });

  it('endpoint health: a resume that arrives while the held attempt is still running is not lost', async () => {
    let open!: () => void;
    const f = newFake({ endpointPaused: [true], merchantAnswers: [true], holdGate: new Promise<void>((r) => { open = r; }) });
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, { timing: { notifyRetryScheduleMs: [20, 40] } }));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
      for (let i = 0; i < 400 && !f.holds?.length; i++) await new Promise((r) => setTimeout(r, 25));
      expect(f.holds).toHaveLength(1);
      await handle.signal(notifyControlSignal, { action: 'endpoint-resume' }); // the activity has not answered yet
      open();
      const state = await handle.result();
      expect(state.notify).toMatchObject({ state: 'delivered', attempts: 1 });
    });
  });

  /** Waits (bounded) until the workflow's state satisfies `check`; a timeout fails the test. */
  async function until(handle: Awaited<ReturnType<typeof start>>['handle'], check: (s: OrderStateView) => boolean, what: string) {
    for (let i = 0; i < 400; i++) {
      const st = await handle.query(orderStateQuery);
      if (check(st)) return st;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  it('UNKNOWN at expiry is never final: asked again with backoff, and a later answer settles the order', async () => {
    const unknown: ChannelStatus = { status: 'UNKNOWN', reason: 'timeout' };
    const f = newFake({ queryAnswers: [unknown, unknown, unknown], channelState: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo, { timing: { notifyRetryScheduleMs: [10], unknownRetryScheduleMs: [30, 60], escalateAfterMs: 60_000 } }, 200);
      const { handle } = await start(mercNo, inp);
      const state = await handle.result();
      expect(state.payStatus).toBe('p0000');
      expect(f.queries).toBe(4);
      expect(f.transitions.map((t) => t.to)).not.toContain('p0006');
      expect(f.reviews).toEqual([]);
    });
  });

  it('UNKNOWN past the bound goes to the human queue; a person\'s decision is applied by the workflow with its actor', async () => {
    const f = newFake({ channelState: { status: 'UNKNOWN', reason: 'ACQ.SYSTEM_ERROR' } });
    await withWorker(f, async (mercNo) => {
      const inp = input(mercNo, { timing: { notifyRetryScheduleMs: [10], unknownRetryScheduleMs: [20], escalateAfterMs: 100 } }, 150);
      const { handle } = await start(mercNo, inp);
      const waiting = await until(handle, (st) => st.review !== undefined, 'the review');
      expect(waiting).toMatchObject({ payStatus: 'p0002', review: { kind: 'unknown_result' } });
      expect(f.reviews).toHaveLength(1);
      // Still asked while it waits for a person.
      const asked = f.queries;
      await until(handle, () => f.queries > asked + 1, 'more queries');
      await handle.executeUpdate(resolveReviewUpdate, { args: [{ decision: 'unpaid', reason: 'channel confirms no payment by phone', actor: 'ops-alice' }] });
      const state = await handle.result();
      expect(state.payStatus).toBe('p0006');
      expect(state.review).toBeUndefined();
      expect(f.resolutions).toEqual([{ decision: 'unpaid', actor: 'ops-alice', to: 'p0006' }]);
      expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0006']);
    });
  });

  it('a resolve is refused while the order is not in the human queue', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo));
      await expect(handle.executeUpdate(resolveReviewUpdate, { args: [{ decision: 'paid', reason: 'x', actor: 'ops' }] })).rejects.toThrow();
      expect((await handle.query(orderStateQuery)).payStatus).toBe('p0002');
      await handle.terminate('test done');
    });
  });

  it('a SUCCESS whose amount is not the order\'s goes to the human queue instead of p0000', async () => {
    const f = newFake();
    await withWorker(f, async (mercNo) => {
      const { handle } = await start(mercNo, input(mercNo, {}, 200));
      await handle.signal(channelReportSignal, { source: 'callback', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 1 } });
      const waiting = await until(handle, (st) => st.review !== undefined, 'the review');
      expect(waiting).toMatchObject({ payStatus: 'p0002', review: { kind: 'amount_mismatch' } });
      // It does not expire while a person has to decide.
      await new Promise((r) => setTimeout(r, 400));
      expect((await handle.query(orderStateQuery)).payStatus).toBe('p0002');
      await handle.executeUpdate(resolveReviewUpdate, { args: [{ decision: 'paid', reason: 'bank statement shows 1.23', actor: 'ops-bob' }] });
      const state = await handle.result();
      expect(state.payStatus).toBe('p0000');
      expect(f.transitions.map((t) => t.eventType)).toEqual(['channel_created', 'resolved_paid']);
      expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0000']);
    });
  });

  describe('routing with failover (patched channel-failover)', () => {
    it('a create declined at the first channel moves the order to the next: answered with its credential, Channel updated; the left channel\'s reports settle nothing', async () => {
      const f = newFake({ createAnswers: { alipay: { kind: 'DECLINED', reason: 'ACCESS_FORBIDDEN' } }, creates: [], switches: [] });
      await withWorker(f, async (mercNo) => {
        const { answer, handle } = await start(mercNo, input(mercNo, { channel: 'alipay', fallbackChannels: ['ipaynow'] }));
        expect(answer).toMatchObject({ kind: 'ok', data: { codeUrl: expect.stringContaining('https://pay.example/') } });
        expect(f.creates).toEqual(['alipay', 'ipaynow']);
        expect(f.switches).toEqual([{ from: 'alipay', to: 'ipaynow', result: 'DECLINED' }]);
        expect((await handle.query(orderStateQuery)).channel).toBe('ipaynow');
        await eventually(async () => ((await handle.describe()).typedSearchAttributes.get(SA.channel) === 'ipaynow' ? true : null), 5_000, 'Channel = ipaynow');
        // The channel the order left knows nothing of it: its FAIL is not the order's.
        await handle.signal(channelReportSignal, { source: 'poll', channel: 'alipay', result: { status: 'FAIL', reason: 'TRADE_NOT_EXIST' } });
        await handle.signal(channelReportSignal, { source: 'callback', channel: 'ipaynow', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
        const state = await handle.result();
        expect(state.payStatus).toBe('p0000');
        expect(f.transitions.map((t) => t.eventType)).toEqual(['channel_created', 'paid']);
      });
    });

    it('an UNKNOWN create does not fail over: the order stays at the first channel (it may take the money there)', async () => {
      const f = newFake({ createAnswers: { alipay: { kind: 'UNKNOWN', reason: 'timeout' } }, creates: [], switches: [] });
      await withWorker(f, async (mercNo) => {
        const { answer, handle } = await start(mercNo, input(mercNo, { channel: 'alipay', fallbackChannels: ['ipaynow'] }));
        expect(answer).toMatchObject({ kind: 'error', respCode: '200001' });
        expect(f.creates).toEqual(['alipay']);
        expect(f.switches).toEqual([]);
        expect((await handle.query(orderStateQuery)).channel).toBe('alipay');
        await handle.signal(channelReportSignal, { source: 'poll', channel: 'alipay', result: { status: 'SUCCESS', paidAtMs: Date.now(), amountFen: 123 } });
        expect((await handle.result()).payStatus).toBe('p0000');
      });
    });

    it('every channel refusing (an open circuit included): the last refusal answers the merchant and the order fails', async () => {
      const f = newFake({
        createAnswers: { alipay: { kind: 'UNAVAILABLE', reason: 'alipay circuit open' }, ipaynow: { kind: 'DECLINED', reason: 'no such app' } },
        creates: [], switches: [],
      });
      await withWorker(f, async (mercNo) => {
        const { answer, handle } = await start(mercNo, input(mercNo, { channel: 'alipay', fallbackChannels: ['ipaynow'] }));
        expect(answer).toEqual({ kind: 'error', respCode: '200001', respDesc: 'no such app', orderId: expect.any(String) });
        expect(f.switches).toEqual([{ from: 'alipay', to: 'ipaynow', result: 'UNAVAILABLE' }]);
        expect((await handle.result()).payStatus).toBe('p0004');
      });
    });
  });
});
