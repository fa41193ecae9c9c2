import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../../activities';
import type { ChannelTransferStatus } from '../../domain/channels';
import type { DeliveryRequest } from '../../activities/notify-delivery';
import type { PayoutTransitionArgs } from '../../activities/payout-records';
import { orderStateQuery, payoutApprovalUpdate, resolveReviewUpdate, type PayoutWorkflowInput } from '../../workflows/definitions';
import type { payoutWorkflow } from '../../workflows/payout';
import { PayStatus } from '../../domain/pay-status';
import { eventually } from '../support/stack';

// The payout workflow on the real Temporal dev server with stub activities and millisecond schedules.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* installed */
}

interface Fake {
  transfers: number;
  /** What the transfer answers; 'throw' = the attempt is lost (the activity fails). */
  transferAnswer: ChannelTransferStatus | 'throw';
  queryAnswers: ChannelTransferStatus[];
  queryFallback: ChannelTransferStatus;
  queries: number;
  transitions: { to: string; eventType: string; failReason?: string; actor?: string }[];
  approvals: { decision: string; actor: string }[];
  reviews: string[];
  deliveries: DeliveryRequest[];
  /** The merchant does not answer success (the workflow then waits for its next attempt). */
  merchantFails?: boolean;
}

const newFake = (over: Partial<Fake> = {}): Fake => ({
  transfers: 0, transferAnswer: { status: 'SUCCESS', amountFen: 500, transferredAtMs: Date.now() }, queryAnswers: [],
  queryFallback: { status: 'UNKNOWN', reason: 'stub' }, queries: 0, transitions: [], approvals: [], reviews: [], deliveries: [], ...over,
});

function fakeActivities(f: Fake): Partial<OrderActivities> {
  return {
    async payoutTransition(a: PayoutTransitionArgs) {
      f.transitions.push({ to: a.to, eventType: a.eventType, ...(a.failReason ? { failReason: a.failReason } : {}), ...(a.actor ? { actor: a.actor } : {}) });
      return { applied: true, payStatus: a.to, tradeEndTime: a.tradeEndTime ?? null, latePayment: false };
    },
    async recordPayoutApproval(a) {
      f.approvals.push({ decision: a.decision, actor: a.actor });
    },
    async channelTransfer() {
      f.transfers++;
      if (f.transferAnswer === 'throw') throw new Error('worker lost mid-call');
      return f.transferAnswer;
    },
    async channelTransferQuery() {
      f.queries++;
      return f.queryAnswers.shift() ?? f.queryFallback;
    },
    async openReview(r) {
      f.reviews.push(r.kind);
    },
    async resolveReview() {
      /* the review row is closed by the activity; the transition is payoutTransition's */
    },
    async setNotifyState() {
      /* read model only */
    },
    async deliverNotification(req) {
      f.deliveries.push(req);
      if (f.merchantFails) return { delivered: false, httpStatus: 500, latencyMs: 1, error: 'fail', notifyState: 'pending' };
      return { delivered: true, httpStatus: 200, latencyMs: 1, error: null, notifyState: 'delivered' };
    },
  };
}

let connection: Connection;
let client: Client;
let nativeConnection: NativeConnection;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await connection?.close();
  await nativeConnection?.close();
});

async function run<T>(f: Fake, over: Partial<PayoutWorkflowInput>, body: (h: ReturnType<Client['workflow']['getHandle']>) => Promise<T>): Promise<T> {
  const taskQueue = `payout-wf-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection, taskQueue, workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
    activities: fakeActivities(f),
  });
  const input: PayoutWorkflowInput = {
    orderId: `2026120610${randomUUID().replace(/\D/g, '').padEnd(22, '0').slice(0, 22)}`, mercNo: 'M1', mercOrderNo: `P${randomUUID().slice(0, 8)}`,
    tradeType: '02', channel: 'sandbox', amountFen: 500, payee: { account: 'payee@example.com', name: 'Payee', accountType: 'alipay_logon_id' },
    title: 'payout', approvalRequired: false,
    timing: { notifyRetryScheduleMs: [20], queryScheduleMs: [20], escalateAfterMs: 60_000, transferTimeoutMs: 2_000 },
    notifyStatuses: [PayStatus.PAID, PayStatus.FAILED], ...over,
  };
  return worker.runUntil(async () => {
    const handle = await client.workflow.start<typeof payoutWorkflow>('payoutWorkflow', { workflowId: `wf:${input.mercOrderNo}`, taskQueue, args: [input] });
    return body(handle);
  });
}

describe('payout workflow', () => {
  it('a lost transfer attempt is unknown: settled by queries ("no such transfer" proves nothing), never sent again', async () => {
    const f = newFake({
      transferAnswer: 'throw',
      queryAnswers: [{ status: 'FAIL', reason: 'none', notFound: true }, { status: 'PENDING' }, { status: 'SUCCESS', amountFen: 500, transferredAtMs: Date.now() }],
    });
    const state = await run(f, {}, (h) => h.result());
    expect(state.payStatus).toBe('p0000');
    expect(f.transfers).toBe(1);
    expect(f.queries).toBe(3);
    expect(f.transitions.map((t) => `${t.eventType}:${t.to}`)).toEqual(['payout_sent:p0002', 'paid:p0000']);
    expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0000']);
  });

  it('approval: nothing is sent before a decision; a reject fails it (p0004), notified; a second decision is refused', async () => {
    // The merchant's endpoint fails, so the workflow stays open (next attempt in a minute) for the second decision.
    const f = newFake({ merchantFails: true });
    await run(f, { approvalRequired: true, timing: { notifyRetryScheduleMs: [60_000], queryScheduleMs: [20], escalateAfterMs: 60_000, transferTimeoutMs: 2_000 } }, async (h) => {
      expect((await h.query(orderStateQuery)).payStatus).toBe('p0001');
      expect(f.transfers).toBe(0);
      await h.executeUpdate(payoutApprovalUpdate, { args: [{ decision: 'reject', reason: 'unknown payee', actor: 'ops-alice' }] });
      expect((await h.query(orderStateQuery)).payStatus).toBe('p0004');
      await expect(h.executeUpdate(payoutApprovalUpdate, { args: [{ decision: 'approve', reason: 'x', actor: 'ops-bob' }] })).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await eventually(async () => f.deliveries.length > 0, 10_000, 'the rejection notified');
      await h.terminate('test done');
    });
    expect(f.transfers).toBe(0);
    expect(f.approvals).toEqual([{ decision: 'reject', actor: 'ops-alice' }]);
    expect(f.transitions).toEqual([{ to: 'p0004', eventType: 'payout_rejected', failReason: 'rejected by ops-alice: unknown payee', actor: 'ops-alice' }]);
    expect(f.deliveries.map((d) => d.payStatus)).toEqual(['p0004']);
  });

  it('unsettled past escalateAfterMs: the human queue, still queried; a person\'s "unpaid" ends it p0004', async () => {
    const f = newFake({ transferAnswer: { status: 'UNKNOWN', reason: 'SYSTEM_ERROR' } });
    await run(f, { timing: { notifyRetryScheduleMs: [20], queryScheduleMs: [20], escalateAfterMs: 100, transferTimeoutMs: 2_000 } }, async (h) => {
      await eventually(async () => (await h.query(orderStateQuery)).review, 10_000, 'the payout in the human queue');
      const queried = f.queries;
      await eventually(async () => f.queries > queried, 10_000, 'queries go on');
      await h.executeUpdate(resolveReviewUpdate, { args: [{ decision: 'unpaid', reason: 'not in the portal', actor: 'ops-alice' }] });
      expect((await h.result()).payStatus).toBe('p0004');
    });
    expect(f.transfers).toBe(1);
    expect(f.reviews).toEqual(['unknown_result']);
    expect(f.transitions.at(-1)).toMatchObject({ to: 'p0004', eventType: 'resolved_unpaid', actor: 'ops-alice' });
  });
});
