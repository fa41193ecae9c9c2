import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentile, round } from './proc-stats';

const EventType = temporal.api.enums.v1.EventType;

/** What the engine did for one order, read from its workflow history. */
export interface RoundTrips {
  /** Order workflows whose histories were read (completed orders of the end-to-end phase). */
  sampled: number;
  /** Per order, the mean over the sample. */
  perOrder: {
    events: number;
    workflowTasks: number;
    activityTasks: number;
    localActivities: number;
    timers: number;
    searchAttributeUpserts: number;
    signals: number;
    updates: number;
  };
  /**
   * How long workflow tasks waited between scheduled and started (the server handing them to a worker), over every
   * workflow task of the sample, from the history's event times. Shows the server's task dispatch apart from the
   * worker's and the database's time.
   */
  workflowTaskWaitMs: { p50: number | null; p99: number | null };
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const eventMs = (e: HistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

/**
 * Counts, from the histories of completed orders, the engine's work per order: workflow tasks (each a matching
 * hop and a persistence write), activity tasks (another hop each), timers, search-attribute upserts (each a
 * visibility write) and the history's length. Deterministic for a given workflow version, unlike timings.
 */
export async function countRoundTrips(temporalAddress: string, workflowIds: string[]): Promise<RoundTrips> {
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    const client = new Client({ connection });
    const waits: number[] = [];
    const totals = { events: 0, workflowTasks: 0, activityTasks: 0, localActivities: 0, timers: 0, searchAttributeUpserts: 0, signals: 0, updates: 0 };
    for (const id of workflowIds) {
      const history = await client.workflow.getHandle(id).fetchHistory();
      let scheduledAt: number | null = null;
      for (const e of history.events ?? []) {
        totals.events++;
        switch (e.eventType) {
          case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED: scheduledAt = eventMs(e); break;
          case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            if (scheduledAt !== null) waits.push(eventMs(e) - scheduledAt);
            scheduledAt = null;
            break;
          case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: totals.workflowTasks++; break;
          case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: totals.activityTasks++; break;
          case EventType.EVENT_TYPE_MARKER_RECORDED:
            if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') totals.localActivities++;
            break;
          case EventType.EVENT_TYPE_TIMER_STARTED: totals.timers++; break;
          case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: totals.searchAttributeUpserts++; break;
          case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: totals.signals++; break;
          case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: totals.updates++; break;
          default: break;
        }
      }
    }
    const n = Math.max(workflowIds.length, 1);
    const mean = (v: number) => Math.round((v / n) * 100) / 100;
    return {
      sampled: workflowIds.length,
      perOrder: Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, mean(v)])) as RoundTrips['perOrder'],
      workflowTaskWaitMs: waits.length === 0 ? { p50: null, p99: null } : wait(waits.sort((a, b) => a - b)),
    };
  } finally {
    await connection.close();
  }
}

const wait = (sorted: number[]) => ({ p50: round(percentile(sorted, 50), 1), p99: round(percentile(sorted, 99), 1) });
