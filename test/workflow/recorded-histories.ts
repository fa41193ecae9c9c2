import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON, type History } from '../support/history-json';

/** Where `npm run histories:record` (scripts/record-histories.ts) writes one history per workflow path. */
export const HISTORIES_DIR = join(__dirname, 'histories');

export interface RecordedHistory {
  file: string;
  workflowId: string;
  workflowType: string;
  history: History;
}

interface StartedEvent {
  workflowExecutionStartedEventAttributes?: { workflowId?: string; workflowType?: { name?: string } };
}

/** Every recorded history, with the workflow id and type from its first event (a replay runs under the same id). */
export function recordedHistories(): RecordedHistory[] {
  return readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const json = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')) as { events?: StartedEvent[] };
    const started = json.events?.[0]?.workflowExecutionStartedEventAttributes;
    if (!started?.workflowId || !started.workflowType?.name) throw new Error(`${file}: does not start with a WorkflowExecutionStarted event`);
    return { file, workflowId: started.workflowId, workflowType: started.workflowType.name, history: historyFromJSON(json) };
  });
}
