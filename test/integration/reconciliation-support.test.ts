import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { globalSetupBase, TEST_OPERATOR, TEST_OPERATOR_TOKEN, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { startStackOn } from '../support/stack-core';
import { withOwnDatabase } from '../support/own-database';
import { paidSandboxOrder, refundCall, refundReaches } from '../support/refunds';
import { supportCall, type SupportErrorAnswer } from '../support/support-api';
import { MerchantReceiver } from '../support/merchant-receiver';
import { repoRoot } from '../../devstack/paths';
import { findOrderById, listEvents } from '../../db/orders';
import { findRefundByMercRefundNo } from '../../db/refunds';
import { listReviewsOf } from '../../db/order-reviews';
import { reconDay } from '../support/recon-day';
import type { ReconDiscrepancyView, ReconReportView } from '../../support/recon';

// Reconciliation through the support API and CLI on the real stack (the sandbox, a database of its own): run a day,
// list and read its report, refuse bad input naming the field, settle its findings from the human queue.
let stack: TestStack;
let merchant: TestMerchant;
let receiver: MerchantReceiver;
let differs: string;
let refundId: string;
let date: string;

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/support.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATOR_TOKEN }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  date = await reconDay();
  stack = await startStackOn(await withOwnDatabase(globalSetupBase()), { POLL_SCHEDULE: '1h' });
  merchant = await testMerchant(stack.pool);
  receiver = await new MerchantReceiver().start();
  differs = (await paidSandboxOrder(stack, merchant, '2.00', receiver.url)).orderId;
  const refunded = await paidSandboxOrder(stack, merchant, '1.00', receiver.url);
  const mercRefundNo = `RF${randomUUID().replace(/-/g, '').slice(0, 20)}`;
  expect((await refundCall(stack, merchant, { orderId: refunded.orderId, mercRefundNo, refundAmt: '0.30' })).body.respCode).toBe('000000');
  await refundReaches(stack, merchant, mercRefundNo, 'r0000');
  refundId = (await findRefundByMercRefundNo(stack.pool, merchant.mercNo, mercRefundNo))!.refundId;
  // The sandbox's books show another amount for the first order and for the refund.
  await stack.pool.query('UPDATE sandbox_orders SET amount_fen = 201 WHERE order_id = $1', [differs]);
  await stack.pool.query('UPDATE sandbox_refunds SET amount_fen = 29 WHERE refund_id = $1', [refundId]);
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

describe('reconciliation in support', () => {
  it('recon run (CLI) reconciles the day and prints its report; recon lists it; recon show --json is the API\'s report', async () => {
    const run = await cli(['recon', 'run', 'sandbox', date]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Reconciliation of sandbox for ${date} (Asia/Shanghai): done`);
    expect(run.stdout).toMatch(/statement lines\s+3/);
    expect(run.stdout).toMatch(/open discrepancies\s+2/);
    expect(run.stdout).toMatch(/amount_mismatch\s+\S+\s+-\s+201\s+200\s+review\s+review-opened/);
    expect(run.stdout).toMatch(new RegExp(`refund_mismatch\\s+\\S+\\s+${refundId}\\s+29\\s+30\\s+review\\s+review-opened`));

    const list = await cli(['recon', '--channel', 'sandbox']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/DATE\s+CHANNEL\s+STATUS\s+LINES\s+MATCHED\s+OPEN/);
    expect(list.stdout).toMatch(new RegExp(`${date}\\s+sandbox\\s+done\\s+3\\s+1\\s+2\\s+0\\s+1\\s+0\\s+0\\s+1\\s+0`));

    const shown = await cli(['recon', 'show', 'sandbox', date, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const api = await supportCall<{ run: ReconReportView; discrepancies: ReconDiscrepancyView[] }>(stack.api.adminUrl, 'GET', `/support/v1/recon/runs/sandbox/${date}`);
    expect(api.status).toBe(200);
    expect(JSON.parse(shown.stdout)).toEqual(api.body);
    expect(api.body.run).toMatchObject({ status: 'done', lines: 3, matched: 1, discrepancies: 2, channelPayFen: 301, channelRefundFen: 29, attempts: 1 });
    expect(api.body.discrepancies.map((d) => d.kind).sort()).toEqual(['amount_mismatch', 'refund_mismatch']);

    const runs = await supportCall<{ runs: ReconReportView[] }>(stack.api.adminUrl, 'GET', `/support/v1/recon/runs?channel=sandbox&from=${date}&to=${date}`);
    expect(runs.body.runs.map((r) => [r.channel, r.date, r.counts.amount_mismatch, r.counts.refund_mismatch])).toEqual([['sandbox', date, 1, 1]]);
  });

  it('refuses bad input naming the field (400), a day never reconciled is 404, and the routes need an operator', async () => {
    const bad = async (method: 'GET' | 'POST', path: string, field: string, body?: unknown) => {
      const r = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, method, path, body === undefined ? {} : { body });
      expect(r.status, path).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_request', field });
    };
    await bad('GET', '/support/v1/recon/runs/sandbox/2026-02-30', 'date');
    await bad('GET', '/support/v1/recon/runs/paypal/2026-01-01', 'channel');
    await bad('GET', '/support/v1/recon/runs?limit=0', 'limit');
    await bad('GET', '/support/v1/recon/runs?from=yesterday', 'from');
    await bad('POST', '/support/v1/recon/runs', 'channel', { date });
    await bad('POST', '/support/v1/recon/runs', 'date', { channel: 'sandbox', date: '2026-02-29' });
    // A day that has not begun is a valid date with nothing to reconcile yet: 409, as is year 0 (no such day).
    for (const future of ['2999-01-01', '0000-01-01']) {
      const r = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/recon/runs', { body: { channel: 'sandbox', date: future } });
      expect(r.status, future).toBe(409);
      expect(r.body.error.code).toBe('conflict');
    }
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/recon/runs/sandbox/0000-01-01')).status).toBe(404);
    // The first day there is runs like any other (nothing on it).
    const first = await supportCall<{ workflowId: string }>(stack.api.adminUrl, 'POST', '/support/v1/recon/runs', { body: { channel: 'sandbox', date: '0001-01-01' } });
    expect(first.status).toBe(202);
    await stack.client.workflow.getHandle(first.body.workflowId).result();
    expect((await supportCall<{ run: ReconReportView }>(stack.api.adminUrl, 'GET', '/support/v1/recon/runs/sandbox/0001-01-01')).body.run).toMatchObject({ status: 'done', lines: 0 });
    expect((await supportCall<{ runs: unknown[] }>(stack.api.adminUrl, 'GET', '/support/v1/recon/runs?from=0000-01-01&to=0000-12-31')).body.runs).toEqual([]);
    const missing = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', '/support/v1/recon/runs/ipaynow/2001-01-01');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/recon/runs', { token: null })).status).toBe(401);
  });

  it('a person settles the findings from the human queue: the review closes, audited, the order and refund unchanged', async () => {
    const ambiguous = await supportCall<{ orders: { orderId: string; kind: string; refundId?: string }[] }>(stack.api.adminUrl, 'GET', `/support/v1/ambiguous?mercNo=${merchant.mercNo}`);
    expect(ambiguous.body.orders.filter((o) => o.kind === 'reconciliation').map((o) => o.refundId ?? null).sort()).toEqual([null, refundId].sort());

    const resolved = await supportCall<{ payStatus: string; review: { kind: string; decision: string; actor: string } }>(
      stack.api.adminUrl, 'POST', `/support/v1/orders/${differs}/resolve`, { body: { decision: 'paid', reason: 'channel portal: 2.01 taken, 0.01 refunded to the payer' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ payStatus: 'p0000', review: { kind: 'reconciliation', decision: 'paid', actor: TEST_OPERATOR } });
    expect((await listEvents(stack.pool, differs)).find((e) => e.type === 'support_recon_settled')).toMatchObject({ actor: TEST_OPERATOR });

    const refundOrder = (await findRefundByMercRefundNo(stack.pool, merchant.mercNo, (await stack.pool.query<{ merc_refund_no: string }>(
      'SELECT merc_refund_no FROM refunds WHERE refund_id = $1', [refundId])).rows[0]!.merc_refund_no))!;
    const settled = await supportCall<{ refundStatus: string }>(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/resolve`,
      { body: { decision: 'refunded', reason: 'channel portal: 0.30 refunded' } });
    expect(settled.status).toBe(200);
    expect(settled.body.refundStatus).toBe('r0000');
    expect((await listReviewsOf(stack.pool, refundOrder.orderId)).filter((r) => r.resolvedAtMs === null)).toEqual([]);
    expect((await findOrderById(stack.pool, differs))!.payStatus).toBe('p0000');
    // Settled once: the same decision again finds nothing waiting.
    const again = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'POST', `/support/v1/orders/${differs}/resolve`, { body: { decision: 'paid', reason: 'again' } });
    expect(again.status).toBe(409);
  });
});
