import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { notifyStateOf, paidOrder, supportCall, type SupportErrorAnswer } from '../support/support-api';
import type { JobView } from '../../support/replay-jobs';
import type { TestMerchant as Merchant } from '../support/stack-core';

// Finding 6: bulk replay jobs ran concurrently without a cap. With MAX_CONCURRENT_BULK_JOBS=2, a third job while two
// run is refused with 429 too_many_requests and nothing is created; a job whose workflow was terminated stops
// counting; concurrent starts cannot pass the cap together. The worker is stopped once the order is delivered, so
// the jobs' workflows stay running for as long as the test needs them to.
let stack: TestStack;
let merchant: Merchant;
let receiver: MerchantReceiver;
const started: JobView[] = [];

beforeAll(async () => {
  stack = await startStack({ MAX_CONCURRENT_BULK_JOBS: '2' });
  merchant = await testMerchant(stack.pool);
  receiver = await new MerchantReceiver().start();
  const { orderId } = await paidOrder(stack, merchant, receiver.url);
  await notifyStateOf(stack, orderId, ['delivered']);
  await stack.worker!.stop();
  stack.worker = null;
});
afterAll(async () => {
  // Leave no job running for the files after this one: terminate their workflows and let a progress read fail them.
  for (const job of started) {
    await stack.client.workflow.getHandle(job.workflowId).terminate('test over').catch(() => undefined);
    await supportCall(stack.api.adminUrl, 'GET', `/support/v1/jobs/${job.id}`);
  }
  await receiver?.stop();
  await stack?.stop();
});

const filter = () => ({ mercNo: merchant.mercNo });
async function startJob() {
  const r = await supportCall<JobView & SupportErrorAnswer>(stack.api.adminUrl, 'POST', '/support/v1/notifications/replay', { body: { filter: filter(), ratePerSecond: 1 } });
  if (r.status === 202) started.push(r.body);
  return r;
}
async function jobCount(): Promise<number> {
  const { rows } = await stack.pool.query<{ n: string }>('SELECT count(*) AS n FROM support_jobs');
  return Number(rows[0]!.n);
}
async function terminateAndRead(job: JobView): Promise<JobView> {
  await stack.client.workflow.getHandle(job.workflowId).terminate('test');
  return (await supportCall<JobView>(stack.api.adminUrl, 'GET', `/support/v1/jobs/${job.id}`)).body;
}

describe('bulk replay jobs running at once', () => {
  it('refuses a third job while two run (429, nothing created), and accepts one again once a job has stopped', async () => {
    const first = await startJob();
    const second = await startJob();
    expect([first.status, second.status]).toEqual([202, 202]);
    expect([first.body.state, second.body.state]).toEqual(['running', 'running']);

    const jobsBefore = await jobCount();
    const third = await startJob();
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('too_many_requests');
    expect(third.body.error.message).toContain('2 bulk jobs are running');
    expect(third.body.error.message).toContain('MAX_CONCURRENT_BULK_JOBS=2');
    expect(await jobCount()).toBe(jobsBefore);

    // A dry run is not a job: still answered.
    const dry = await supportCall<{ count: number }>(stack.api.adminUrl, 'POST', '/support/v1/notifications/replay', { body: { filter: filter(), dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.count).toBe(1);

    // Terminated without anyone reading its progress: the next start finds it stopped and does not count it.
    await stack.client.workflow.getHandle(first.body.workflowId).terminate('test');
    const fourth = await startJob();
    expect(fourth.status).toBe(202);
    expect((await supportCall<JobView>(stack.api.adminUrl, 'GET', `/support/v1/jobs/${first.body.id}`)).body.state).toBe('failed');
    expect((await startJob()).status).toBe(429);

    for (const job of [second.body, fourth.body]) expect((await terminateAndRead(job)).state).toBe('failed');
  });

  it('concurrent starts cannot pass the cap together', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, () => startJob()));
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 429, 429]);
    for (const a of answers.filter((x) => x.status === 202)) expect((await terminateAndRead(a.body)).state).toBe('failed');
  });
});
