import { startStackOn, testMerchant, TEST_OPERATOR_TOKEN, type StackBase, type TestMerchant, type TestStack } from '../support/stack-core';
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
  });
  const merchant = await testMerchant(stack.pool, { signTypes: ['HMAC-SHA256-RAW'] });
  return { stack, merchant };
}

/** The two targets: the merchant listener (requests signed by the hook) and the admin listener (an operator token). */
export function contractTargets(stack: TestStack, merchant: TestMerchant): { merchant: ContractTarget; admin: ContractTarget } {
  return {
    merchant: { name: 'merchant listener', url: stack.api.url, merchant: { mercNo: merchant.mercNo, key: merchant.signKey } },
    admin: { name: 'admin listener', url: stack.api.adminUrl, headers: { Authorization: `Bearer ${TEST_OPERATOR_TOKEN}` } },
  };
}

export type { ContractRun };
export { runSchemathesis };
