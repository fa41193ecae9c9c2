import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { quietLogger } from '../support/infrastructure';
import { recordedHistories, type RecordedHistory } from './recorded-histories';

// The replay test can fail: workflow code changed without patched() (an extra timer before the order workflow's
// first step, test/workflow/fixtures) is refused by the recorded histories.
try {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
} catch {
  /* installed */
}

let workflowBundle: { code: string };
const history = (file: string): RecordedHistory => {
  const h = recordedHistories().find((r) => r.file === file);
  if (!h) throw new Error(`no recorded history ${file}: run npm run histories:record`);
  return h;
};

beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath: join(__dirname, 'fixtures/order-workflow-with-extra-timer.ts'), logger: quietLogger });
});

describe('a non-deterministic change to the order workflow', () => {
  it('fails the replay of a paid order with a DeterminismViolationError', async () => {
    const paid = history('paid.json');
    await expect(Worker.runReplayHistory({ workflowBundle }, paid.history, paid.workflowId)).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it('leaves the unchanged late-payment workflow replaying from the same bundle', async () => {
    const late = history('late-payment-report.json');
    await expect(Worker.runReplayHistory({ workflowBundle }, late.history, late.workflowId)).resolves.toBeUndefined();
  });
});
