import { startStackOn, testMerchant, TEST_ADMIN_TOKEN, type StackBase, type TestMerchant, type TestStack } from '../support/stack-core';
import { runSchemathesis, type ContractRun, type ContractTarget } from './schemathesis';

/**
 * The system the contract test fuzzes: the real API (both listeners), a worker, Temporal and PostgreSQL, with the
 * sandbox on. The per-merchant rate limits and caps are off (a fuzzer is one merchant sending hundreds of requests a
 * second; 429 would hide what the interfaces answer), and the fuzzing merchant signs with HMAC-SHA256-RAW only.
 */
export async function startContractStack(base: StackBase): Promise<{ stack: TestStack; merchant: TestMerchant }> {
  const stack = await startStackOn(base, {
    RATE_LIMIT_MERCHANT_RPS: '0',
    MAX_OPEN_ORDERS_PER_MERCHANT: '0',
    RATE_LIMIT_N001_RPS: '0',
    // Generated payouts add up over the run: the daily payout limit (100012) is a cap too.
    PAYOUT_DAILY_LIMIT: '90000000000000.00',
  });
  const merchant = await testMerchant(stack.pool, { signTypes: ['HMAC-SHA256-RAW'] });
  return { stack, merchant };
}

/**
 * Ends the bulk replay jobs the fuzzer started (a generated filter can match thousands of orders at 1 per second):
 * their workflows are terminated and the jobs marked failed, so that they do not count against
 * MAX_CONCURRENT_BULK_JOBS for the tests that share this PostgreSQL after this one.
 */
export async function endFuzzedJobs(stack: TestStack, sinceMs: number): Promise<number> {
  const { rows } = await stack.pool.query<{ id: string; workflow_id: string }>(
    "SELECT id, workflow_id FROM support_jobs WHERE state = 'running' AND created_at >= to_timestamp($1 / 1000.0)", [sinceMs]);
  for (const job of rows) {
    await stack.client.workflow.getHandle(job.workflow_id).terminate('contract test finished').catch(() => undefined);
    await stack.pool.query("UPDATE support_jobs SET state = 'failed', error = 'terminated by the contract test', finished_at = now() WHERE id = $1", [job.id]);
  }
  return rows.length;
}

/**
 * The two targets: the merchant listener (requests signed by the hook) and the admin listener (an admin operator's
 * token, which opens the support API and the admin API alike).
 */
export function contractTargets(stack: TestStack, merchant: TestMerchant): { merchant: ContractTarget; admin: ContractTarget } {
  return {
    merchant: { name: 'merchant listener', url: stack.api.url, merchant: { mercNo: merchant.mercNo, key: merchant.signKey } },
    admin: { name: 'admin listener', url: stack.api.adminUrl, headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
  };
}

export type { ContractRun };
export { runSchemathesis };
