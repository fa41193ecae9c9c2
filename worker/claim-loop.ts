import type { Logger } from '../config/logger';

export interface ClaimLoopHandle {
  stop(): Promise<void>;
}

export interface ClaimLoopOptions<T> {
  /** Names the loop in its log lines. */
  name: string;
  /** Claims up to batchSize due items (the database moves them along, so another worker does not take them too). */
  claim: (batchSize: number) => Promise<T[]>;
  /** Handles one claimed item; a failure is logged and the item is left to its claim's own retry rule. */
  handle: (item: T) => Promise<void>;
  /** Identifies an item in the log line of its failure. */
  describe: (item: T) => Record<string, unknown>;
  batchSize: number;
  concurrency: number;
  tickMs: number;
  log: Logger;
}

/**
 * The loop shared by the worker's database-driven jobs (channel polling, sandbox reports): claim a batch, handle it
 * with bounded concurrency, go again at once after a full batch, otherwise wait one tick. stop() wakes it and waits
 * for the batch in hand to finish.
 */
export function startClaimLoop<T>(o: ClaimLoopOptions<T>): ClaimLoopHandle {
  let stopped = false;
  let wake: (() => void) | undefined;

  async function tick(): Promise<number> {
    const claimed = await o.claim(o.batchSize);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(o.concurrency, claimed.length) }, async () => {
      while (next < claimed.length) {
        const item = claimed[next++]!;
        await o.handle(item).catch((err: unknown) =>
          o.log.warn({ ...o.describe(item), err: (err as Error).message }, `${o.name}: item failed`));
      }
    }));
    return claimed.length;
  }

  const loop = (async () => {
    while (!stopped) {
      let claimed = 0;
      try {
        claimed = await tick();
      } catch (err) {
        o.log.warn({ err: (err as Error).message }, `${o.name}: tick failed`);
      }
      if (claimed < o.batchSize && !stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, o.tickMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
