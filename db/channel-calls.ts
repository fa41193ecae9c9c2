import type { Queryable } from './pool';

export type ChannelOp = 'create' | 'query' | 'close' | 'refund' | 'refund_query' | 'transfer' | 'transfer_query';

/** One call to an upstream channel (table channel_calls): outcome and latency only, never credentials or payloads. */
export interface ChannelCall {
  orderId: string;
  channel: string;
  op: ChannelOp;
  /** The closed-union result: CREATED/DECLINED/UNSUPPORTED/UNKNOWN for create, SUCCESS/FAIL/PENDING/UNKNOWN otherwise. */
  status: string;
  latencyMs: number;
  error: string | null;
  calledAtMs: number;
}

const MAX_ERROR = 200;
const SECRET_PAIR = /\b([\w-]*(?:key|sign\w*|token|secret|password))(=|":\s*"?)([^&\s",]+)/gi;

/** A short, credential-free excerpt of an error text: `key=…`, `signature=…`, tokens are masked; at most 200 characters. */
export function errorExcerpt(text: string | null | undefined): string | null {
  if (!text) return null;
  return text.replace(SECRET_PAIR, '$1$2[redacted]').slice(0, MAX_ERROR);
}

export async function recordChannelCall(db: Queryable, c: ChannelCall): Promise<void> {
  await db.query(
    `INSERT INTO channel_calls (order_id, channel, op, status, latency_ms, error, called_at)
     VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::double precision / 1000))`,
    [c.orderId, c.channel, c.op, c.status, c.latencyMs, errorExcerpt(c.error), c.calledAtMs],
  );
}

export async function listChannelCalls(db: Queryable, orderId: string): Promise<ChannelCall[]> {
  const { rows } = await db.query<{
    order_id: string; channel: string; op: ChannelOp; status: string; latency_ms: number; error: string | null; called_at: Date;
  }>('SELECT order_id, channel, op, status, latency_ms, error, called_at FROM channel_calls WHERE order_id = $1 ORDER BY id', [orderId]);
  return rows.map((r) => ({
    orderId: r.order_id, channel: r.channel, op: r.op, status: r.status, latencyMs: r.latency_ms, error: r.error,
    calledAtMs: r.called_at.getTime(),
  }));
}
