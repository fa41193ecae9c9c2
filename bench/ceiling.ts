import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { percentile, round } from './proc-stats';
import { Progress, runPool } from './progress';
import { doneSignal, startUpdate, type ceilingWorkflow } from './ceiling-workflow';

export interface CeilingResult {
  workflows: number;
  wallSeconds: number;
  workflowsPerSecond: number;
  updateLatencyMs: { p50: number; p99: number };
}

/** Runs N ceiling workflows at concurrency C on the given Temporal server with a worker in this process. */
export async function runCeiling(address: string, workflows: number, concurrency: number): Promise<CeilingResult> {
  const taskQueue = `ceiling-${randomUUID()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowsPath: join(__dirname, 'ceiling-workflow.ts'),
    activities: { noop: async () => 'ok' },
  });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const latencies: number[] = [];
  const progress = new Progress('ceiling   ', workflows);
  let done = 0;
  let started = 0;
  await worker.runUntil(async () => {
    started = performance.now();
    await runPool(workflows, concurrency, async () => {
      const op = new WithStartWorkflowOperation<typeof ceilingWorkflow>('ceilingWorkflow', {
        workflowId: `ceiling-${randomUUID()}`, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING',
      });
      const t0 = performance.now();
      await client.workflow.executeUpdateWithStart(startUpdate, { startWorkflowOperation: op });
      latencies.push(performance.now() - t0);
      const handle = await op.workflowHandle();
      await handle.signal(doneSignal);
      await handle.result();
      progress.update(++done);
    });
  });
  progress.end();
  const wallSeconds = (performance.now() - started) / 1000;
  await connection.close();
  await nativeConnection.close();
  latencies.sort((a, b) => a - b);
  return {
    workflows,
    wallSeconds: round(wallSeconds, 2),
    workflowsPerSecond: round(workflows / wallSeconds, 1),
    updateLatencyMs: { p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) },
  };
}
