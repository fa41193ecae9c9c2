import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from '../db/pool';
import { SupportError } from '../domain/errors';
import type { DroppedUpdatePolicy } from '../temporal/updates';

/** What support operations run over: the API's context, or a worker activity's client and task queue. */
export interface SupportEnv {
  pool: Pool;
  temporal: Client;
  /** Task queue of the order workflows (replay workflows start there). */
  taskQueue: string;
}

const GRPC_NOT_FOUND = 5;

/**
 * True when Temporal says the workflow does not exist or is no longer running (signals to a closed workflow fail so).
 * Besides the client's WorkflowNotFoundError, accepts a raw gRPC NOT_FOUND, which a client over the worker's native
 * connection (inside activities) may surface instead.
 */
export function isWorkflowGone(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  const e = err as { code?: unknown; cause?: { code?: unknown }; name?: unknown } | null;
  return e?.name === 'WorkflowNotFoundError' || e?.code === GRPC_NOT_FOUND || e?.cause?.code === GRPC_NOT_FOUND;
}

/** The workflow's status name (RUNNING, COMPLETED, TERMINATED, …), or 'NOT_FOUND' (never started, or past retention). */
export async function workflowStatus(temporal: Client, workflowId: string): Promise<string> {
  try {
    return (await temporal.workflow.getHandle(workflowId).describe()).status.name;
  } catch (err) {
    if (isWorkflowGone(err)) return 'NOT_FOUND';
    throw err;
  }
}

/** Resolves with `promise`, or rejects after `ms` (a query to a workflow whose worker is down never answers). */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e instanceof Error ? e : new Error(String(e))); },
    );
  });
}

/**
 * An operator's decision sent to a workflow as an update (resolve an order or a refund, approve a payout). One the
 * engine dropped (news reached the workflow while the task carrying it ran: temporal/updates.ts) was never accepted:
 * it is sent again (the validator refuses it, 409, if someone decided meanwhile), bounded, then 503 try_again.
 */
export const DECISION_UPDATE: DroppedUpdatePolicy<unknown> = {
  attempts: 3,
  exhausted: () => new SupportError('try_again', 'the workflow did not take the decision (the engine dropped it); send the same request again'),
};
