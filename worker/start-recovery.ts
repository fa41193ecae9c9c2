import type { Logger } from '../config/logger';
import { startClaimLoop, type ClaimLoopHandle } from './claim-loop';

/**
 * How many times the workers try to start one item's workflow before it goes to the human queue. With the default
 * recovery interval (1m) that is about ten minutes of an unreachable Temporal, or of a cause no retry fixes.
 */
export const START_RECOVERY_MAX_TRIES = 10;

export interface StartRecoveryOptions<T> {
  /** Names the recovery in its log lines ('refund start recovery'). */
  name: string;
  /** How long after it was recorded an item counts as never started, and how often one is tried again. */
  afterMs: number;
  /**
   * Claims up to `limit` items recorded but not started `afterMs` ago (each by one worker, once per interval, none
   * escalated), counting the try: `tries` includes this one.
   */
  claim: (afterMs: number, limit: number) => Promise<Array<{ item: T; tries: number }>>;
  /** Starts the item's workflow with the id and input its entry point uses; 'existed': it had been started. */
  start: (item: T) => Promise<'started' | 'existed'>;
  /**
   * Puts the item in the human queue with the reason its start failed, and stops its claims. Idempotent. False when
   * it was not put there: started meanwhile by another path (the merchant's repeat of its request), or already there.
   */
  escalate: (item: T, reason: string, tries: number) => Promise<boolean>;
  describe: (item: T) => Record<string, unknown>;
  log: Logger;
  /** Called for each item whose workflow this recovery started (not one that existed already). */
  onStarted?: (item: T) => void;
  /** Called for each item this recovery escalated. */
  onEscalated?: (item: T) => void;
  maxTries?: number;
  batchSize?: number;
  concurrency?: number;
}

/**
 * The workers' recovery of work recorded in PostgreSQL whose workflow was never started (the API records, then
 * starts; a SIGKILL or an unreachable Temporal in between leaves the record with nothing to move it). Shared by
 * refunds (refunds/start-recovery.ts) and payouts (payouts/start-recovery.ts): claim what is due, start it
 * idempotently, log and count each start it made. A failed start is tried again next interval, at most `maxTries`
 * times; then the item goes to the human queue (`escalate`) with the last error, and is claimed no more.
 */
export function startWorkflowStartRecovery<T>(o: StartRecoveryOptions<T>): ClaimLoopHandle {
  const maxTries = o.maxTries ?? START_RECOVERY_MAX_TRIES;
  return startClaimLoop<{ item: T; tries: number }>({
    name: o.name,
    claim: (limit) => o.claim(o.afterMs, limit),
    handle: async ({ item, tries }) => {
      let outcome: 'started' | 'existed';
      try {
        outcome = await o.start(item);
      } catch (err) {
        if (tries < maxTries) throw err;
        const reason = `its workflow could not be started after ${tries} tries: ${(err as Error).message}`.slice(0, 500);
        if (!(await o.escalate(item, reason, tries))) {
          o.log.info({ ...o.describe(item), tries }, `${o.name}: started meanwhile by another request, not escalated`);
          return;
        }
        o.log.error({ ...o.describe(item), tries, err: (err as Error).message }, `${o.name}: escalated to the human queue`);
        o.onEscalated?.(item);
        return;
      }
      if (outcome === 'started') {
        o.log.warn(o.describe(item), `${o.name}: started the workflow of one recorded but never started`);
        o.onStarted?.(item);
      }
    },
    describe: ({ item }) => o.describe(item),
    batchSize: o.batchSize ?? 100,
    concurrency: o.concurrency ?? 4,
    tickMs: Math.max(50, Math.min(1000, o.afterMs)),
    log: o.log,
  });
}
