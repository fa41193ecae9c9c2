import { inject } from 'vitest';
import { startStackOn, type StackBase, type TestStack } from './stack-core';

export * from './stack-core';

/**
 * The real system for integration tests: the API and a worker (in this process) over the real Temporal dev server
 * and PostgreSQL that the global setup started (see ./stack-core.ts).
 */
export function startStack(envOverrides: Record<string, string> = {}, opts: Parameters<typeof startStackOn>[2] = {}): Promise<TestStack> {
  return startStackOn(globalSetupBase(), envOverrides, opts);
}

/** The servers and workflow bundle of this test run (test/support/global-setup.ts). */
export function globalSetupBase(): StackBase {
  return { databaseUrl: inject('databaseUrl'), temporalAddress: inject('temporalAddress'), workflowBundlePath: inject('workflowBundlePath') };
}
