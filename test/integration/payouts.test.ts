import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../devstack/paths';
import { TEST_OPERATOR_TOKEN } from '../support/stack-core';
import { eventually, merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { supportCall } from '../support/support-call';
import { orderReaches, payoutCall, payoutFields, payoutSettings, payoutTotalOf } from '../support/payouts';
import { unifiedOrderFields } from '../support/requests';
import { listChannelCalls } from '../../db/channel-calls';
import { findPayout } from '../../db/payouts';
import { verifySignature } from '../../domain/signing';

// Payouts (tradeType 02/03) over real HTTP on the real stack (API + worker + Temporal + PostgreSQL), served by the
// sandbox in each of its payout modes (SANDBOX_PAYOUT_MODE), with a real merchant receiver.
let stack: TestStack;
let unknown: TestStack;
let failing: TestStack;
let delayed: TestStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  stack = await startStack({ POLL_SCHEDULE: '1h', PAYOUT_QUERY_SCHEDULE: '100ms' });
  unknown = await startStack({ POLL_SCHEDULE: '1h', SANDBOX_PAYOUT_MODE: 'unknown', PAYOUT_QUERY_SCHEDULE: '100ms' });
  failing = await startStack({ POLL_SCHEDULE: '1h', SANDBOX_PAYOUT_MODE: 'failing' });
  delayed = await startStack({ POLL_SCHEDULE: '1h', SANDBOX_PAYOUT_MODE: 'delayed', SANDBOX_PAYOUT_DELAY: '600ms', PAYOUT_QUERY_SCHEDULE: '100ms' });
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await Promise.all([stack, unknown, failing, delayed].filter(Boolean).map((s) => s.stop()));
});

const receiver = async () => {
  const r = await new MerchantReceiver().start();
  receivers.push(r);
  return r;
};
/** `npm run support -- <args>` as support staff run it: its own process against the stack's admin listener. */
function supportCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/support.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, SUPPORT_ADMIN_URL: stack.api.adminUrl, SUPPORT_TOKEN: TEST_OPERATOR_TOKEN }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
/** `npm run merchant -- <args>` as the merchant's test key. */
function merchantCli(m: { mercNo: string; signKey: string }, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/merchant.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, MERC_NO: m.mercNo, MERC_KEY: m.signKey, API_URL: stack.api.url }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}
const transfersAt = async (s: TestStack, orderId: string) => {
  const { rows } = await s.pool.query<{ requests: number; amount_fen: string }>('SELECT requests, amount_fen FROM sandbox_transfers WHERE out_biz_no = $1', [orderId]);
  return rows;
};

describe('payouts through the sandbox', () => {
  it('a payout is sent once, p0000, notified with tradeType 02 and p0000; repeats get the same answer, changes 100004', async () => {
    const merchant = await testMerchant(stack.pool);
    const r = await receiver();
    const fields = payoutFields({ tradeAmt: '3.50', notifyUrl: r.url });
    const res = await payoutCall(stack, merchant, fields);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ respCode: '000000', tradeType: '02', tradeAmt: '3.50', mercOrderNo: fields.mercOrderNo });
    expect(verifySignature(res.body, merchant.signKey, 'MD5', res.body.signature!)).toBe(true);
    const orderId = res.body.orderId!;
    await orderReaches(stack, orderId, 'p0000');
    await r.waitFor(1, 20_000);
    const note = r.forOrder(orderId)[0]!;
    expect(note.headers['x-notify-id']).toBe(`${orderId}-p0000`);
    expect(note.body).toMatchObject({ orderId, payStatus: 'p0000', tradeType: '02', tradeAmt: '3.50' });
    expect(await transfersAt(stack, orderId)).toEqual([{ requests: 1, amount_fen: '350' }]);

    const query = await merchantCall(stack.api.url, '/api/query', merchant, { mercOrderNo: fields.mercOrderNo! });
    expect(query.body).toMatchObject({ respCode: '000000', orderId, tradeType: '02', payStatus: 'p0000' });
    const again = await payoutCall(stack, merchant, fields);
    expect(again.body).toMatchObject({ respCode: '000000', orderId });
    const changed = await payoutCall(stack, merchant, { ...fields, tradeAmt: '3.51' });
    expect(changed.status).toBe(409);
    expect(changed.body.respCode).toBe('100004');
    // Still one transfer at the channel, and the channel calls say so.
    expect(await transfersAt(stack, orderId)).toEqual([{ requests: 1, amount_fen: '350' }]);
    expect((await listChannelCalls(stack.pool, orderId)).map((c) => `${c.op}:${c.status}`)).toEqual(['transfer:SUCCESS']);

    // The support timeline shows the payout's steps.
    const timeline = await supportCall<{ events: { type: string }[]; channelCalls: { op: string }[] }>(stack.api.adminUrl, 'GET', `/support/v1/orders/${orderId}`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.events.map((e) => e.type)).toEqual(expect.arrayContaining(['created', 'payout_accepted', 'payout_sent', 'paid']));
  });

  it('the merchant CLI makes a payout and follows it to p0000', async () => {
    const merchant = await testMerchant(stack.pool);
    const run = await merchantCli(merchant, ['payout', '--notify-url', 'http://127.0.0.1:9/n', '--payee-account', '13800000000', '--payee-name', 'CLI payee', '--amount', '0.50']);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(run.stdout).toMatch(/respCode 000000 .*answer signature verified/);
    expect(run.stdout).toMatch(/tradeType\s+02/);
    expect(run.stdout).toMatch(/payStatus\s+p0000/);
  });

  it('tradeType 03 (withdrawal) to a bank card with bankCode', async () => {
    const merchant = await testMerchant(stack.pool);
    const res = await payoutCall(stack, merchant, payoutFields({ tradeType: '03', payeeAccountType: 'bank_card', payeeAccount: '6222020200001234567', bankCode: 'ICBC' }));
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    await orderReaches(stack, res.body.orderId!, 'p0000');
    expect((await findPayout(stack.pool, res.body.orderId!))!.payee).toEqual({ account: '6222020200001234567', name: '张三', accountType: 'bank_card', bankCode: 'ICBC' });
  });

  it('refuses bad payee fields with 100001 naming the field; nothing is recorded', async () => {
    const merchant = await testMerchant(stack.pool);
    const cases: [Record<string, string>, string, string][] = [
      [{ payeeAccount: '' }, 'payeeAccount', 'required for payouts'],
      [{ payeeName: '' }, 'payeeName', 'required for payouts'],
      [{ payeeAccountType: '' }, 'payeeAccountType', 'required for payouts'],
      [{ payeeAccountType: 'wechat' }, 'payeeAccountType', ''],
      [{ payeeAccountType: 'alipay_user_id', payeeAccount: '1234' }, 'payeeAccount', '2088'],
      [{ payeeAccount: 'not an account' }, 'payeeAccount', 'logon id'],
      [{ payeeAccountType: 'bank_card', payeeAccount: '6222020200001234567' }, 'bankCode', 'bank card'],
      [{ payeeAccountType: 'bank_card', payeeAccount: '62220', bankCode: 'ICBC' }, 'payeeAccount', '12 to 30 digits'],
    ];
    for (const [overrides, field, words] of cases) {
      const fields = payoutFields(overrides);
      const res = await payoutCall(stack, merchant, fields);
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.body.respCode).toBe('100001');
      expect(res.body.respDesc).toContain(field);
      expect(res.body.respDesc).toContain(words);
    }
    // Payee fields on a payment are refused too.
    const pay = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ payeeAccount: 'payee@example.com' }));
    expect(pay.body).toMatchObject({ respCode: '100001' });
    expect(pay.body.respDesc).toContain('payeeAccount is only for payouts');
    expect(await payoutTotalOf(stack.pool, merchant.mercNo)).toBe(0);
  });

  it('the daily limit holds under concurrent payouts (100012 past it), and a rejected payout gives its amount back', async () => {
    const merchant = await testMerchant(stack.pool);
    await payoutSettings(stack.pool, merchant, { dailyLimitFen: 1_000 });
    // 8 × 2.00 = 16.00 asked of a 10.00 limit: exactly 5 fit.
    const answers = await Promise.all(Array.from({ length: 8 }, () => payoutCall(stack, merchant, payoutFields({ tradeAmt: '2.00' }))));
    const accepted = answers.filter((a) => a.body.respCode === '000000');
    const refused = answers.filter((a) => a.body.respCode !== '000000');
    expect(accepted).toHaveLength(5);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body.respCode).toBe('100012');
      expect(r.body.respDesc).toContain('0.00 of 10.00');
    }
    for (const a of accepted) await orderReaches(stack, a.body.orderId!, 'p0000');
    expect(await payoutTotalOf(stack.pool, merchant.mercNo)).toBe(1_000);
    const { rows } = await stack.pool.query<{ n: string; total: string }>(
      'SELECT count(*) AS n, sum(amount_fen) AS total FROM sandbox_transfers WHERE out_biz_no = ANY($1)', [accepted.map((a) => a.body.orderId!)]);
    expect(rows[0]).toEqual({ n: '5', total: '1000' });
    // A refused payout recorded nothing: its mercOrderNo may be used again (here for an amount that still does not fit).
    expect((await payoutCall(stack, merchant, payoutFields({ mercOrderNo: refused[0]!.body.mercOrderNo ?? `X${Date.now()}`, tradeAmt: '0.01' }))).body.respCode).toBe('100012');
  });

  it('approval: a payout waits for a support operator; approve sends it, reject fails it (p0004) and gives its amount back', async () => {
    const merchant = await testMerchant(stack.pool);
    await payoutSettings(stack.pool, merchant, { dailyLimitFen: 500, approvalRequired: true });
    const r = await receiver();
    const first = await payoutCall(stack, merchant, payoutFields({ tradeAmt: '3.00', notifyUrl: r.url }));
    expect(first.body.respCode, first.body.respDesc).toBe('000000');
    const approvedId = first.body.orderId!;
    // Waiting: nothing sent, p0001.
    await eventually(async () => ((await findPayout(stack.pool, approvedId))?.approval === 'pending' ? true : null), 5_000, 'pending approval');
    expect((await merchantCall(stack.api.url, '/api/query', merchant, { orderId: approvedId })).body.payStatus).toBe('p0001');
    // Listed for operators, payee account masked.
    const pending = await supportCall<{ total: number; payouts: Record<string, string>[] }>(stack.api.adminUrl, 'GET', `/support/v1/payouts/pending-approval?mercNo=${merchant.mercNo}`);
    expect(pending.body).toEqual({ total: 1, payouts: [expect.objectContaining({ orderId: approvedId, tradeAmt: '3.00', payeeAccount: 'pay***.com', payeeName: '张三' })] });
    expect(await transfersAt(stack, approvedId)).toEqual([]);

    const approved = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${approvedId}/payout-approval`, { body: { decision: 'approve', reason: 'payee checked' } });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ orderId: approvedId, approval: 'approved', actor: 'ops-alice' });
    await orderReaches(stack, approvedId, 'p0000');
    expect(await transfersAt(stack, approvedId)).toEqual([{ requests: 1, amount_fen: '300' }]);
    const twice = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${approvedId}/payout-approval`, { body: { decision: 'reject', reason: 'late' } });
    expect(twice.status).toBe(409);
    // `npm run support -- show` tells the payout's story: payee (masked), approval, limit day, each step.
    const shown = await supportCli(['show', approvedId]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('Payout (tradeType 02)');
    expect(shown.stdout).toContain('alipay_logon_id pay***.com');
    expect(shown.stdout).not.toContain('payee@example.com');
    expect(shown.stdout).toContain('approved by ops-alice: payee checked');
    for (const step of ['payout_accepted', 'payout_approved', 'payout_sent p0001→p0002', 'sandbox transfer → SUCCESS', 'paid p0002→p0000']) {
      expect(shown.stdout).toContain(step);
    }

    // 2.00 left today: 2.01 does not fit; 2.00 does, and rejecting it makes room for 2.00 again.
    expect((await payoutCall(stack, merchant, payoutFields({ tradeAmt: '2.01' }))).body.respCode).toBe('100012');
    const second = await payoutCall(stack, merchant, payoutFields({ tradeAmt: '2.00', notifyUrl: r.url }));
    expect(second.body.respCode).toBe('000000');
    const rejectedId = second.body.orderId!;
    await eventually(async () => ((await findPayout(stack.pool, rejectedId))?.approval === 'pending' ? true : null), 5_000, 'pending approval');
    // Rejected through the support CLI (`npm run support -- reject`), as an operator would.
    const listed = await supportCli(['approvals', '--merc-no', merchant.mercNo]);
    expect(listed.stdout).toContain(rejectedId);
    const rejected = await supportCli(['reject', rejectedId, '--reason', 'payee unknown to us', '--json']);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(JSON.parse(rejected.stdout)).toMatchObject({ payStatus: 'p0004', approval: 'rejected', actor: 'ops-alice' });
    expect(await transfersAt(stack, rejectedId)).toEqual([]);
    await eventually(async () => (r.forOrder(rejectedId).length > 0 ? true : null), 15_000, 'rejection notified');
    expect(r.forOrder(rejectedId)[0]!.body).toMatchObject({ payStatus: 'p0004', tradeType: '02' });
    expect(await payoutTotalOf(stack.pool, merchant.mercNo)).toBe(300);
    expect((await payoutCall(stack, merchant, payoutFields({ tradeAmt: '2.00' }))).body.respCode).toBe('000000');
  });
});

describe('sandbox payout modes', () => {
  it('unknown: the transfer\'s answer is lost; a query by out_biz_no finds it made: p0000, sent once', async () => {
    const merchant = await testMerchant(unknown.pool);
    const res = await payoutCall(unknown, merchant, payoutFields({ tradeAmt: '1.00' }));
    expect(res.body.respCode).toBe('000000');
    const orderId = res.body.orderId!;
    await orderReaches(unknown, orderId, 'p0000');
    const calls = await listChannelCalls(unknown.pool, orderId);
    expect(calls[0]).toMatchObject({ op: 'transfer', status: 'UNKNOWN' });
    expect(calls.filter((c) => c.op === 'transfer')).toHaveLength(1);
    expect(calls.at(-1)).toMatchObject({ op: 'transfer_query', status: 'SUCCESS' });
    expect(await transfersAt(unknown, orderId)).toEqual([{ requests: 1, amount_fen: '100' }]);
  });

  it('delayed: sent (p0002) while the sandbox says pending, p0000 once a query finds it final', async () => {
    const merchant = await testMerchant(delayed.pool);
    const res = await payoutCall(delayed, merchant, payoutFields({ tradeAmt: '1.00' }));
    const orderId = res.body.orderId!;
    await orderReaches(delayed, orderId, 'p0002');
    await orderReaches(delayed, orderId, 'p0000');
    const calls = await listChannelCalls(delayed.pool, orderId);
    expect(calls[0]).toMatchObject({ op: 'transfer', status: 'PENDING' });
    expect(calls.filter((c) => c.op === 'transfer')).toHaveLength(1);
    expect(calls.at(-1)).toMatchObject({ op: 'transfer_query', status: 'SUCCESS' });
    expect(await transfersAt(delayed, orderId)).toEqual([{ requests: 1, amount_fen: '100' }]);
  });

  it('failing: p0004 with the sandbox\'s reason, notified p0004, its amount given back to the day\'s limit', async () => {
    const merchant = await testMerchant(failing.pool);
    await payoutSettings(failing.pool, merchant, { dailyLimitFen: 100 });
    const r = await receiver();
    const res = await payoutCall(failing, merchant, payoutFields({ tradeAmt: '1.00', notifyUrl: r.url }));
    expect(res.body.respCode).toBe('000000');
    const orderId = res.body.orderId!;
    await orderReaches(failing, orderId, 'p0004');
    expect((await findPayout(failing.pool, orderId))!.failReason).toContain('SANDBOX_PAYOUT_MODE=failing');
    await eventually(async () => (r.forOrder(orderId).length > 0 ? true : null), 15_000, 'failure notified');
    expect(r.forOrder(orderId)[0]!.body).toMatchObject({ payStatus: 'p0004' });
    expect(await payoutTotalOf(failing.pool, merchant.mercNo)).toBe(0);
    const again = await payoutCall(failing, merchant, payoutFields({ tradeAmt: '1.00' }));
    expect(again.body.respCode).toBe('000000');
    await orderReaches(failing, again.body.orderId!, 'p0004');
  });
});
