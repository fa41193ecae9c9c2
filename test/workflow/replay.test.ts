import { beforeAll, describe, expect, it, inject } from 'vitest';
import { readFileSync } from 'node:fs';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { recordedHistories, type RecordedHistory } from './recorded-histories';

// Replay safety: every recorded history (test/workflow/histories, `npm run histories:record`) replays against the
// current workflow code without a server. A change that would break orders already running fails here.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  /* installed */
}

const histories = recordedHistories();
const errors = new Map<string, Error | undefined>();

beforeAll(async () => {
  // The worker's own bundle of workflows/index.ts, built once by the global setup.
  const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
  const replays = Worker.runReplayHistories({ workflowBundle }, histories.map((h) => ({ workflowId: h.workflowId, history: h.history })));
  let i = 0;
  for await (const result of replays) errors.set(histories[i++]!.file, result.error);
});

describe('recorded workflow histories', () => {
  it('cover the order workflow, the late-payment follow-up and the reconciliation', () => {
    expect([...new Set(histories.map((h) => h.workflowType))]).toEqual(expect.arrayContaining(['orderWorkflow', 'lateReportWorkflow', 'reconciliationWorkflow']));
  });

  it.each(histories.map((h): [string, RecordedHistory] => [h.file, h]))('%s replays without a determinism error', (file) => {
    expect(errors.has(file)).toBe(true);
    expect(errors.get(file)).toBeUndefined();
  });
});
