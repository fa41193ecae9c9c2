import type { Logger } from '../config/logger';
import { startClaimLoop, type ClaimLoopHandle } from './claim-loop';

export interface StartRecoveryOptions<T> {
  /** Names the recovery in its log lines ('refund start recovery'). */
  name: string;
  /** How long after it was recorded an item counts as never started, and how often one is tried again. */
  afterMs: number;
  /** Claims up to `limit` items recorded but not started `afterMs` ago (each by one worker, once per interval). */
  claim: (afterMs: number, limit: number) => Promise<T[]>;
  /** Starts the item's workflow with the id and input its entry point uses; 'existed': it had been started. */
  start: (item: T) => Promise<'started' | 'existed'>;
  describe: (item: T) => Record<string, unknown>;
  log: Logger;
  /** Called for each item whose workflow this recovery started (not one that existed already). */
  onStarted?: (item: T) => void;
  batchSize?: number;
  concurrency?: number;
}

/**
 * The workers' recovery of work recorded in PostgreSQL whose workflow was never started (the API records, then
 * starts; a SIGKILL or an unreachable Temporal in between leaves the record with nothing to move it). Shared by
 * refunds (refunds/start-recovery.ts) and payouts (payouts/start-recovery.ts): claim what is due, start it
 * idempotently, log and count each start it made; a failed start is tried again next interval.
 */
export function startWorkflowStartRecovery<T>(o: StartRecoveryOptions<T>): ClaimLoopHandle {
  return startClaimLoop({
    name: o.name,
    claim: (limit) => o.claim(o.afterMs, limit),
    handle: async (item) => {
      if (await o.start(item) === 'started') {
        o.log.warn(o.describe(item), `${o.name}: started the workflow of one recorded but never started`);
        o.onStarted?.(item);
      }
    },
    describe: o.describe,
    batchSize: o.batchSize ?? 100,
    concurrency: o.concurrency ?? 4,
    tickMs: Math.max(50, Math.min(1000, o.afterMs)),
    log: o.log,
  });
}
