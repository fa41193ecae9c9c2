import type { Queryable } from './pool';

export type ChannelOp = 'create' | 'query' | 'close' | 'refund' | 'refund_query' | 'transfer' | 'transfer_query';

/** One call to an upstream channel (table channel_calls): outcome and latency only, never credentials or payloads. */
export interface ChannelCall {
  orderId: string;
  channel: string;
  op: ChannelOp;
  /** The closed-union result: CREATED/DECLINED/UNSUPPORTED/UNKNOWN for create, SUCCESS/FAIL/PENDING/UNKNOWN otherwise. */
  status: string;
  /** The call's latency; for a row that stands for repeated queries, the slowest of them. */
  latencyMs: number;
  error: string | null;
  calledAtMs: number;
}

/** A stored row: one call, or a run of identical query answers folded into one (migration 033). */
export interface StoredChannelCall extends ChannelCall {
  /** How many calls the row stands for (1 for a single call). */
  repeats: number;
  /** The latest folded call's time; null when the row is a single call. */
  lastCalledAtMs: number | null;
}

/** The operations that repeat while an order waits (polls); their identical answers fold into one row. */
const FOLDED_OPS: readonly ChannelOp[] = ['query', 'refund_query', 'transfer_query'];

const MAX_ERROR = 200;
const SECRET_PAIR = /\b([\w-]*(?:key|sign\w*|token|secret|password))(=|":\s*"?)([^&\s",]+)/gi;

/** A short, credential-free excerpt of an error text: `key=…`, `signature=…`, tokens are masked; at most 200 characters. */
export function errorExcerpt(text: string | null | undefined): string | null {
  if (!text) return null;
  return text.replace(SECRET_PAIR, '$1$2[redacted]').slice(0, MAX_ERROR);
}

/**
 * Records a call. A query whose answer is the order's latest row's answer (same channel, operation, status and error)
 * folds into that row instead of adding one: polling an open order leaves one row per change, not one per poll. One
 * statement; two concurrent records for the same order can both insert, which only leaves an extra row.
 */
export async function recordChannelCall(db: Queryable, c: ChannelCall): Promise<void> {
  await db.query(
    `WITH latest AS (
       SELECT id FROM channel_calls WHERE order_id = $1 ORDER BY id DESC LIMIT 1
     ), folded AS (
       UPDATE channel_calls c
          SET repeats = c.repeats + 1,
              last_called_at = to_timestamp($7::double precision / 1000),
              latency_ms = GREATEST(c.latency_ms, $5)
         FROM latest
        WHERE $8 AND c.id = latest.id AND c.channel = $2 AND c.op = $3 AND c.status = $4 AND c.error IS NOT DISTINCT FROM $6
       RETURNING c.id
     )
     INSERT INTO channel_calls (order_id, channel, op, status, latency_ms, error, called_at)
     SELECT $1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000)
      WHERE NOT EXISTS (SELECT 1 FROM folded)`,
    [c.orderId, c.channel, c.op, c.status, c.latencyMs, errorExcerpt(c.error), c.calledAtMs, FOLDED_OPS.includes(c.op)],
  );
}

export async function listChannelCalls(db: Queryable, orderId: string): Promise<StoredChannelCall[]> {
  const { rows } = await db.query<{
    order_id: string; channel: string; op: ChannelOp; status: string; latency_ms: number; error: string | null; called_at: Date;
    repeats: number; last_called_at: Date | null;
  }>(
    `SELECT order_id, channel, op, status, latency_ms, error, called_at, repeats, last_called_at
       FROM channel_calls WHERE order_id = $1 ORDER BY id`,
    [orderId],
  );
  return rows.map((r) => ({
    orderId: r.order_id, channel: r.channel, op: r.op, status: r.status, latencyMs: r.latency_ms, error: r.error,
    calledAtMs: r.called_at.getTime(), repeats: r.repeats, lastCalledAtMs: r.last_called_at?.getTime() ?? null,
  }));
}
