import { upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';

/**
 * Keeps a workflow's search attributes current. Every upsert is a history event and a visibility write on the
 * server, so a batching writer collects the changes of one workflow task and sends them as one upsert when the
 * workflow is about to wait (`flush()`), or at its end. Filters in the UI see the state the order rests in; a value
 * that lived only inside one task (p0002 → p0000 in the same task) is never written. A non-batching writer (orders
 * started before batching existed) upserts each change at once, as those orders' histories recorded.
 */
export interface SearchAttributeWriter {
  set(...pairs: SearchAttributeUpdatePair[]): void;
  /** Sends what is pending as one upsert; call before every wait and before the workflow returns. */
  flush(): void;
}

export function searchAttributeWriter(batched: boolean): SearchAttributeWriter {
  const pending = new Map<string, SearchAttributeUpdatePair>();
  return {
    set(...pairs) {
      if (!batched) {
        upsertSearchAttributes(pairs);
        return;
      }
      for (const pair of pairs) {
        pending.delete(pair.key.name); // re-inserted last: the pending order follows the latest change
        pending.set(pair.key.name, pair);
      }
    },
    flush() {
      if (pending.size === 0) return;
      upsertSearchAttributes([...pending.values()]);
      pending.clear();
    },
  };
}
