import type { Queryable } from './pool';
import type { CircuitSnapshot, CircuitState } from '../domain/circuit-breaker';

/** One worker's view of one channel's circuit (table channel_circuits, migration 021). */
export interface CircuitReport {
  channel: string;
  worker: string;
  state: CircuitState;
  failures: number;
  sinceMs: number;
  retryAtMs: number | null;
  reportedAtMs: number;
}

const ts = (ms: number | undefined) => (ms === undefined ? null : ms / 1000);

/** Writes a worker's circuits as they are now (one statement for all its channels). */
export async function reportCircuits(db: Queryable, worker: string, circuits: Record<string, CircuitSnapshot>): Promise<void> {
  const entries = Object.entries(circuits);
  if (entries.length === 0) return;
  await db.query(
    `INSERT INTO channel_circuits (channel, worker, state, failures, since, retry_at, reported_at)
     SELECT c.channel, $1, c.state, c.failures, to_timestamp(c.since), to_timestamp(c.retry_at), now()
       FROM unnest($2::text[], $3::text[], $4::int[], $5::float8[], $6::float8[]) AS c(channel, state, failures, since, retry_at)
     ON CONFLICT (channel, worker) DO UPDATE SET state = EXCLUDED.state, failures = EXCLUDED.failures, since = EXCLUDED.since,
       retry_at = EXCLUDED.retry_at, reported_at = EXCLUDED.reported_at`,
    [worker, entries.map(([c]) => c), entries.map(([, s]) => s.state), entries.map(([, s]) => s.failures),
      entries.map(([, s]) => ts(s.sinceMs)), entries.map(([, s]) => ts(s.retryAtMs))],
  );
}

export async function forgetCircuits(db: Queryable, worker: string): Promise<void> {
  await db.query('DELETE FROM channel_circuits WHERE worker = $1', [worker]);
}

/** The circuits reported by workers within the last `freshMs` (older rows: a worker that stopped reporting). */
export async function listCircuits(db: Queryable, freshMs: number): Promise<CircuitReport[]> {
  const { rows } = await db.query<{
    channel: string; worker: string; state: CircuitState; failures: number; since: Date; retry_at: Date | null; reported_at: Date;
  }>(
    `SELECT channel, worker, state, failures, since, retry_at, reported_at FROM channel_circuits
     WHERE reported_at > now() - $1::int * interval '1 millisecond' ORDER BY channel, worker`,
    [freshMs],
  );
  return rows.map((r) => ({
    channel: r.channel, worker: r.worker, state: r.state, failures: r.failures, sinceMs: r.since.getTime(),
    retryAtMs: r.retry_at?.getTime() ?? null, reportedAtMs: r.reported_at.getTime(),
  }));
}
