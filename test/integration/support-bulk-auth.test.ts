import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, supportCall, workflowClosed, type SupportErrorAnswer } from '../support/support-api';
import { listAttempts } from '../../db/notify-attempts';
import type { TestMerchant as Merchant } from '../support/stack-core';
import type { JobView } from '../../support/replay-jobs';
import type { ExhaustedView } from '../../cli/support/render';
import { createReplayJob, findJob } from '../../db/support-jobs';
import { SupportError } from '../../domain/errors';

// Bulk replay (dry run = what the job processes), job progress, exhausted list, and the admin credentials.
const STEP_MS = 100;
let stack: TestStack;
let merchant: Merchant;
let receiver: MerchantReceiver;
const exhausted: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [STEP_MS] });
  receiver = await new MerchantReceiver([{ kind: 'answer', body: 'fail' }]).start();
  for (let i = 0; i < 3; i++) exhausted.push((await paidOrder(stack, merchant, receiver.url)).orderId);
  for (const orderId of exhausted) {
    await notifyStateOf(stack, orderId, ['exhausted']);
    await workflowClosed(stack, orderId);
  }
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

const bulk = <T>(body: unknown) => supportCall<T>(stack.api.adminUrl, 'POST', '/support/v1/notifications/replay', { body });

describe('support: bulk replay', () => {
  it('the dry run counts exactly the orders the job then replays, each once, at the given rate', async () => {
    const filter = { mercNo: merchant.mercNo, payStatus: 'p0000', notifyState: 'exhausted', from: new Date(Date.now() - 3_600_000).toISOString() };
    const dry = await bulk<{ dryRun: boolean; count: number; sample: string[] }>({ filter, dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.count).toBe(3);
    expect([...dry.body.sample].sort()).toEqual([...exhausted].sort());

    const started = await bulk<JobView>({ filter, ratePerSecond: 2 });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/support/v1/jobs/${started.body.id}`);
    expect(started.body).toMatchObject({ total: dry.body.count, state: 'running', ratePerSecond: 2 });

    const job = await eventually(async () => {
      const j = await supportCall<JobView>(stack.api.adminUrl, 'GET', `/support/v1/jobs/${started.body.id}`);
      return j.body.state !== 'running' ? j.body : null;
    }, 30_000, 'job finished');
    expect(job).toMatchObject({ state: 'completed', total: 3, done: 3, failed: 0, pending: 0, byPath: { 'replay-workflow': 3 } });
    expect(job.done + job.failed).toBe(dry.body.count);

    // Every order got exactly one more attempt (the third), with its own X-Notify-Id.
    await receiver.waitFor(9, 15_000);
    for (const orderId of exhausted) {
      const third = await eventually(async () => (await listAttempts(stack.pool, orderId)).find((a) => a.attempt === 3), 15_000, 'attempt 3');
      expect(third.notifyId).toBe(`${orderId}-p0000`);
    }
    const replays = receiver.received.filter((r) => r.headers['x-notify-attempt'] === '3');
    expect(replays.map((r) => r.headers['x-notify-id']).sort()).toEqual(exhausted.map((id) => `${id}-p0000`).sort());
    // 2 per second: the third replay belongs to the second batch, which starts a second after the first.
    const times = replays.map((r) => r.atMs).sort((x, y) => x - y);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(500);
  });

  it('refuses a job over the size limit without creating anything', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    const attempt = createReplayJob(stack.pool, {
      id, workflowId: `support-job:${id}`, filter: { mercNo: merchant.mercNo }, filterEcho: {}, ratePerSecond: 5, maxTotal: 2, actor: 'ops-alice',
    });
    await expect(attempt).rejects.toBeInstanceOf(SupportError);
    await expect(attempt).rejects.toThrow('more than 2 orders');
    expect(await findJob(stack.pool, id)).toBeNull();
  });

  it('validates the request: rate, times, unknown fields; unknown job ids', async () => {
    const cases: [unknown, string][] = [
      [{ filter: {}, ratePerSecond: 51 }, 'ratePerSecond'],
      [{ filter: { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, 'filter.from'],
      [{ filter: { from: 'yesterday' } }, 'filter.from'],
      [{ filter: { payStatus: 'p0002' } }, 'filter.payStatus'],
      [{ filter: { mercNo: 'x' }, dryrun: true }, 'dryrun'],
      [{ dryRun: true }, 'filter'],
    ];
    for (const [body, field] of cases) {
      const r = await bulk<SupportErrorAnswer>(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatchObject({ code: 'invalid_request', field });
    }
    const badJson = await bulk<SupportErrorAnswer>('{"filter": ');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_request');
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/jobs/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/jobs/not-a-job')).status).toBe(400);
  });
});

describe('support: exhausted notifications', () => {
  it('lists a merchant\'s exhausted orders with their last attempt', async () => {
    const { status, body } = await supportCall<ExhaustedView>(stack.api.adminUrl, 'GET', `/support/v1/notifications/exhausted?mercNo=${merchant.mercNo}&limit=2`);
    expect(status).toBe(200);
    expect(body.total).toBe(3);
    expect(body.orders).toHaveLength(2);
    for (const o of body.orders) {
      expect(exhausted).toContain(o.orderId);
      expect(o).toMatchObject({ mercNo: merchant.mercNo, payStatus: 'p0000', lastHttpStatus: 200, lastError: 'answer was not "success"' });
    }
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/notifications/exhausted?limit=0')).status).toBe(400);
  });
});

describe('support: operator credentials', () => {
  const path = '/support/v1/notifications/exhausted';

  it('refuses a missing, malformed or wrong token and a merchant signing key, with a JSON error', async () => {
    const attempts: { token?: string | null; authorization?: string }[] = [
      { token: null },
      { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      { token: 'wrong-token-0123456789abcdef' },
      { token: merchant.signKey },
      { authorization: `${merchant.signKey}` },
    ];
    for (const a of attempts) {
      const r = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', path, a);
      expect(r.status, JSON.stringify(a)).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect(r.body.error.message.length).toBeGreaterThan(10);
      expect(r.headers.get('www-authenticate')).toContain('Bearer');
    }
    // Credentials are checked before anything else: an unknown route or a replay is refused the same way.
    expect((await supportCall(stack.api.adminUrl, 'GET', '/support/v1/nothing', { token: null })).status).toBe(401);
    expect((await supportCall(stack.api.adminUrl, 'POST', `/support/v1/orders/${exhausted[0]}/notification/replay`, { token: merchant.signKey, body: {} })).status).toBe(401);
    const unknown = await supportCall<SupportErrorAnswer>(stack.api.adminUrl, 'GET', '/support/v1/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect((await supportCall(stack.api.adminUrl, 'GET', path)).status).toBe(200);
  });

  it('answers 503 "not configured" when SUPPORT_OPERATORS (and ADMIN_OPERATORS, whose operators may use it too) are unset', async () => {
    const bare = await startStack({ SUPPORT_OPERATORS: '', ADMIN_OPERATORS: '' }, { worker: false });
    try {
      const r = await supportCall<SupportErrorAnswer>(bare.api.adminUrl, 'GET', path);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('not_configured');
      expect(r.body.error.message).toContain('SUPPORT_OPERATORS');
    } finally {
      await bare.stop();
    }
  });
});
