import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { percentile, round } from './proc-stats';
import { Progress, runPool } from './progress';
import { doneSignal, startUpdate, type ceilingWorkflow } from './ceiling-workflow';

/**
 * How the ceiling workflow is started and its first answer obtained:
 * - `update-with-start`: one call (what the unified order does); the server hands the first workflow task to a
 *   worker through matching;
 * - `eager-start` (issue 13, lever 3): `start` with `requestEagerStart` from a client on the worker's own connection,
 *   so the server returns the first workflow task in the start response to the worker in this process, skipping
 *   matching; then the answer is asked for with an update (update-with-start cannot be eager).
 */
export type CeilingStart = 'update-with-start' | 'eager-start';

export interface CeilingResult {
  start: CeilingStart;
  workflows: number;
  concurrency: number;
  wallSeconds: number;
  workflowsPerSecond: number;
  /** From the start call to the first answer (the update's result). */
  updateLatencyMs: { p50: number; p99: number };
  /** Workflows whose first task the server really dispatched eagerly (always 0 for update-with-start). */
  eagerlyStarted: number;
}

/** Runs N ceiling workflows at concurrency C on the given Temporal server with a worker in this process. */
export async function runCeiling(
  address: string, workflows: number, concurrency: number, start: CeilingStart = 'update-with-start',
): Promise<CeilingResult> {
  const taskQueue = `ceiling-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: join(__dirname, 'ceiling-workflow.ts'),
    activities: { noop: async () => 'ok' },
  });
  // Eager start needs the client on the worker's connection; the usual path uses a separate one, as the API does.
  const connection = start === 'eager-start' ? null : await Connection.connect({ address });
  const client = new Client({ connection: connection ?? nativeConnection });
  const latencies: number[] = [];
  const progress = new Progress(`ceiling ${start === 'eager-start' ? 'E' : 'U'} `, workflows);
  let done = 0;
  let eagerlyStarted = 0;
  let started = 0;
  await worker.runUntil(async () => {
    started = performance.now();
    await runPool(workflows, concurrency, async () => {
      const workflowId = `ceiling-${randomUUID()}`;
      const t0 = performance.now();
      let handle;
      if (start === 'eager-start') {
        handle = await client.workflow.start<typeof ceilingWorkflow>('ceilingWorkflow', { workflowId, taskQueue, requestEagerStart: true });
        if (handle.eagerlyStarted) eagerlyStarted++;
        await handle.executeUpdate(startUpdate);
      } else {
        const op = new WithStartWorkflowOperation<typeof ceilingWorkflow>('ceilingWorkflow', {
          workflowId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
        });
        await client.workflow.executeUpdateWithStart(startUpdate, { startWorkflowOperation: op });
        handle = await op.workflowHandle();
      }
      latencies.push(performance.now() - t0);
      await handle.signal(doneSignal);
      await handle.result();
      progress.update(++done);
    });
  });
  progress.end();
  const wallSeconds = (performance.now() - started) / 1000;
  await connection?.close();
  await nativeConnection.close();
  latencies.sort((a, b) => a - b);
  return {
    start,
    workflows,
    concurrency,
    wallSeconds: round(wallSeconds, 2),
    workflowsPerSecond: round(workflows / wallSeconds, 1),
    updateLatencyMs: { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) },
    eagerlyStarted,
  };
}
