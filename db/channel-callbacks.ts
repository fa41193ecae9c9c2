import type { Queryable } from './pool';

/** One received channel callback (table channel_callbacks). */
export type CallbackOutcome = 'received' | 'accepted' | 'duplicate' | 'rejected' | 'retry';

export interface NewCallback {
  channel: string;
  orderId: string | null;
  funcode: string | null;
  statusCode: string | null;
  signatureValid: boolean | null;
  signRule: string | null;
  outcome: CallbackOutcome;
  reason: string | null;
  dedupKey: string | null;
  /** The parsed fields, without the signature. */
  fields: Record<string, string> | null;
  bodyBytes: number;
}

export interface StoredCallback extends NewCallback {
  id: number;
  receivedAtMs: number;
}

export async function recordCallback(db: Queryable, c: NewCallback): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO channel_callbacks (channel, order_id, funcode, status_code, signature_valid, sign_rule, outcome, reason,
       dedup_key, fields, body_bytes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11) RETURNING id`,
    [c.channel, c.orderId, c.funcode, c.statusCode, c.signatureValid, c.signRule, c.outcome, c.reason, c.dedupKey,
      c.fields === null ? null : JSON.stringify(c.fields), c.bodyBytes],
  );
  return Number(rows[0]!.id);
}

export async function finishCallback(db: Queryable, id: number, outcome: CallbackOutcome, reason: string | null): Promise<void> {
  await db.query('UPDATE channel_callbacks SET outcome = $2, reason = COALESCE($3, reason) WHERE id = $1', [id, outcome, reason]);
}

export async function listCallbacks(db: Queryable, orderId: string): Promise<StoredCallback[]> {
  const { rows } = await db.query<{
    id: string; channel: string; received_at: Date; order_id: string | null; funcode: string | null; status_code: string | null;
    signature_valid: boolean | null; sign_rule: string | null; outcome: CallbackOutcome; reason: string | null;
    dedup_key: string | null; fields: Record<string, string> | null; body_bytes: number;
  }>('SELECT * FROM channel_callbacks WHERE order_id = $1 ORDER BY id', [orderId]);
  return rows.map((r) => ({
    id: Number(r.id), receivedAtMs: r.received_at.getTime(), channel: r.channel, orderId: r.order_id, funcode: r.funcode,
    statusCode: r.status_code, signatureValid: r.signature_valid, signRule: r.sign_rule, outcome: r.outcome, reason: r.reason,
    dedupKey: r.dedup_key, fields: r.fields, bodyBytes: r.body_bytes,
  }));
}

/**
 * Claims the effect of a callback for this receipt. Succeeds for the first receipt of a dedup key, and for a later one
 * when the earlier claim failed or was abandoned (claimed longer than `staleAfterMs` ago without finishing).
 * Otherwise answers the state of the existing claim: 'handed_over' (a duplicate) or 'claimed' (being handled now).
 */
export async function claimCallbackEffect(
  db: Queryable,
  dedupKey: string,
  callbackId: number,
  staleAfterMs: number,
): Promise<'claimed' | 'handed_over' | 'in_flight'> {
  const claimed = await db.query(
    `INSERT INTO channel_callback_effects AS e (dedup_key, callback_id, state) VALUES ($1, $2, 'claimed')
     ON CONFLICT (dedup_key) DO UPDATE SET callback_id = EXCLUDED.callback_id, state = 'claimed', updated_at = now()
       WHERE e.state = 'failed' OR (e.state = 'claimed' AND e.updated_at < now() - make_interval(secs => $3::double precision / 1000))
     RETURNING dedup_key`,
    [dedupKey, callbackId, staleAfterMs],
  );
  if ((claimed.rowCount ?? 0) > 0) return 'claimed';
  const { rows } = await db.query<{ state: string }>('SELECT state FROM channel_callback_effects WHERE dedup_key = $1', [dedupKey]);
  return rows[0]?.state === 'handed_over' ? 'handed_over' : 'in_flight';
}

/** Finishes this receipt's claim (only if it still holds it). */
export async function finishCallbackEffect(
  db: Queryable,
  dedupKey: string,
  callbackId: number,
  result: { state: 'handed_over'; handedTo: string } | { state: 'failed' },
): Promise<void> {
  await db.query(
    `UPDATE channel_callback_effects SET state = $3, handed_to = $4, updated_at = now()
     WHERE dedup_key = $1 AND callback_id = $2 AND state = 'claimed'`,
    [dedupKey, callbackId, result.state, result.state === 'handed_over' ? result.handedTo : null],
  );
}
