import { inTransaction, type Pool, type Queryable } from './pool';

const ts = (ms: number) => new Date(ms);

/**
 * Records one notification attempt's outcome against its endpoint (merchant + URL). A success ends the run of
 * failures; a failure starts one or continues it. When the run has lasted `pauseAfterMs`, the endpoint is paused
 * (once: `pausedNow` is true for exactly one caller) and the pause is audited in the same statement.
 */
export async function recordEndpointOutcome(
  pool: Pool,
  o: { mercNo: string; url: string; ok: boolean; error: string | null; atMs: number; pauseAfterMs: number },
): Promise<{ pausedNow: boolean; failingSinceMs: number | null }> {
  // One statement per attempt (every notification pays for it); a second one only when the pause is due.
  const { rows } = await pool.query<{ failing_since: Date | null; paused_at: Date | null }>(
    `INSERT INTO notify_endpoints AS e (merc_no, url, failing_since, last_failure_at, last_success_at, last_error)
     VALUES ($1, $2, CASE WHEN $3 THEN NULL ELSE $4::timestamptz END, CASE WHEN $3 THEN NULL ELSE $4::timestamptz END,
             CASE WHEN $3 THEN $4::timestamptz END, CASE WHEN $3 THEN NULL ELSE $5 END)
     ON CONFLICT (merc_no, url) DO UPDATE SET
       failing_since = CASE WHEN $3 THEN NULL ELSE COALESCE(e.failing_since, $4::timestamptz) END,
       last_failure_at = CASE WHEN $3 THEN e.last_failure_at ELSE GREATEST(e.last_failure_at, $4::timestamptz) END,
       last_success_at = CASE WHEN $3 THEN GREATEST(e.last_success_at, $4::timestamptz) ELSE e.last_success_at END,
       last_error = CASE WHEN $3 THEN e.last_error ELSE $5 END
     RETURNING failing_since, paused_at`,
    [o.mercNo, o.url, o.ok, ts(o.atMs), o.error],
  );
  const failingSince = rows[0]?.failing_since ?? null;
  const failingSinceMs = failingSince ? failingSince.getTime() : null;
  if (o.ok || failingSinceMs === null || rows[0]?.paused_at || o.atMs - failingSinceMs < o.pauseAfterMs) {
    return { pausedNow: false, failingSinceMs };
  }
  // Paused once (the caller that flips paused_at writes the audit event, in the same statement).
  const paused = await pool.query(
    `WITH p AS (
       UPDATE notify_endpoints SET paused_at = $3 WHERE merc_no = $1 AND url = $2 AND paused_at IS NULL RETURNING merc_no, url)
     INSERT INTO notify_endpoint_events (merc_no, url, type, actor, detail) SELECT merc_no, url, 'paused', NULL, $4 FROM p
     RETURNING 1`,
    [o.mercNo, o.url, ts(o.atMs), { failingSince: failingSince!.toISOString(), lastError: o.error, pauseAfterMs: o.pauseAfterMs }],
  );
  return { pausedNow: (paused.rowCount ?? 0) > 0, failingSinceMs };
}

/**
 * Holds the order's notification when its endpoint is paused: true (and the hold recorded) when paused. A paused
 * endpoint's row is read again FOR SHARE before the hold is written, so a resume (which updates it) either comes first (not paused: send) or waits for the hold
 * and then finds it.
 */
export async function holdIfEndpointPaused(pool: Pool, h: { orderId: string; mercNo: string; url: string }): Promise<boolean> {
  // The common case, one unlocked read: not paused, send. (A pause racing it lets one more attempt through.)
  const seen = await pool.query<{ paused: boolean }>(
    'SELECT paused_at IS NOT NULL AS paused FROM notify_endpoints WHERE merc_no = $1 AND url = $2', [h.mercNo, h.url]);
  if (!seen.rows[0]?.paused) return false;
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ paused: boolean }>(
      'SELECT paused_at IS NOT NULL AS paused FROM notify_endpoints WHERE merc_no = $1 AND url = $2 FOR SHARE',
      [h.mercNo, h.url],
    );
    if (!rows[0]?.paused) return false;
    await tx.query(
      `INSERT INTO notify_endpoint_holds (order_id, merc_no, url) VALUES ($1, $2, $3)
       ON CONFLICT (order_id) DO UPDATE SET merc_no = EXCLUDED.merc_no, url = EXCLUDED.url, held_at = now()`,
      [h.orderId, h.mercNo, h.url],
    );
    return true;
  });
}

export interface NotifyEndpoint {
  mercNo: string;
  url: string;
  failingSinceMs: number | null;
  lastFailureAtMs: number | null;
  lastSuccessAtMs: number | null;
  lastError: string | null;
  pausedAtMs: number | null;
  /** Notifications waiting for the resume. */
  held: number;
}

const msOf = (d: Date | null) => (d ? d.getTime() : null);

/** Endpoints, paused first then failing ones; `pausedOnly` lists the paused ones. */
export async function listEndpoints(db: Queryable, q: { mercNo?: string; pausedOnly: boolean; limit: number }): Promise<NotifyEndpoint[]> {
  const { rows } = await db.query<{
    merc_no: string; url: string; failing_since: Date | null; last_failure_at: Date | null; last_success_at: Date | null;
    last_error: string | null; paused_at: Date | null; held: string;
  }>(
    `SELECT e.*, (SELECT count(*) FROM notify_endpoint_holds h WHERE h.merc_no = e.merc_no AND h.url = e.url) AS held
     FROM notify_endpoints e
     WHERE ($1::text IS NULL OR e.merc_no = $1) AND (NOT $2 OR e.paused_at IS NOT NULL)
     ORDER BY e.paused_at IS NULL, e.paused_at, e.failing_since IS NULL, e.failing_since, e.merc_no, e.url
     LIMIT $3`,
    [q.mercNo ?? null, q.pausedOnly, q.limit],
  );
  return rows.map((r) => ({
    mercNo: r.merc_no, url: r.url, failingSinceMs: msOf(r.failing_since), lastFailureAtMs: msOf(r.last_failure_at),
    lastSuccessAtMs: msOf(r.last_success_at), lastError: r.last_error, pausedAtMs: msOf(r.paused_at), held: Number(r.held),
  }));
}

/**
 * Unpauses the endpoint (its run of failures starts afresh) and audits who did it. Returns what it was before, or
 * null when the endpoint is unknown.
 */
export async function unpauseEndpoint(pool: Pool, e: { mercNo: string; url: string; actor: string }): Promise<{ wasPausedAtMs: number | null; failingSinceMs: number | null } | null> {
  return inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ paused_at: Date | null; failing_since: Date | null }>(
      'SELECT paused_at, failing_since FROM notify_endpoints WHERE merc_no = $1 AND url = $2 FOR UPDATE', [e.mercNo, e.url]);
    const before = rows[0];
    if (!before) return null;
    if (before.paused_at) {
      await tx.query('UPDATE notify_endpoints SET paused_at = NULL, failing_since = NULL WHERE merc_no = $1 AND url = $2', [e.mercNo, e.url]);
      await tx.query(
        `INSERT INTO notify_endpoint_events (merc_no, url, type, actor, detail) VALUES ($1, $2, 'resumed', $3, $4)`,
        [e.mercNo, e.url, e.actor, { pausedAt: before.paused_at.toISOString() }],
      );
    }
    return { wasPausedAtMs: msOf(before.paused_at), failingSinceMs: msOf(before.failing_since) };
  });
}

/** The orders whose notifications the endpoint holds. */
export async function heldOrders(db: Queryable, e: { mercNo: string; url: string }): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    'SELECT order_id FROM notify_endpoint_holds WHERE merc_no = $1 AND url = $2 ORDER BY held_at, order_id', [e.mercNo, e.url]);
  return rows.map((r) => r.order_id);
}

export async function releaseHold(db: Queryable, orderId: string): Promise<void> {
  await db.query('DELETE FROM notify_endpoint_holds WHERE order_id = $1', [orderId]);
}

/**
 * Orders of the merchant whose notification exhausted its schedule while the endpoint was failing: the last attempt
 * went to this URL at or after `sinceMs`. Resume sends each its latest state once.
 */
export async function exhaustedDuringOutage(db: Queryable, e: { mercNo: string; url: string; sinceMs: number }): Promise<string[]> {
  const { rows } = await db.query<{ order_id: string }>(
    `SELECT o.order_id FROM orders o
     JOIN LATERAL (SELECT url, started_at FROM notify_attempts n WHERE n.order_id = o.order_id
                   ORDER BY started_at DESC, attempt DESC LIMIT 1) a ON true
     WHERE o.merc_no = $1 AND o.notify_state = 'exhausted' AND a.url = $2 AND a.started_at >= $3
     ORDER BY o.order_id`,
    [e.mercNo, e.url, ts(e.sinceMs)],
  );
  return rows.map((r) => r.order_id);
}

export interface EndpointEvent { type: string; actor: string | null; detail: Record<string, unknown>; atMs: number }

export async function listEndpointEvents(db: Queryable, e: { mercNo: string; url: string }): Promise<EndpointEvent[]> {
  const { rows } = await db.query<{ type: string; actor: string | null; detail: Record<string, unknown>; created_at: Date }>(
    'SELECT type, actor, detail, created_at FROM notify_endpoint_events WHERE merc_no = $1 AND url = $2 ORDER BY id', [e.mercNo, e.url]);
  return rows.map((r) => ({ type: r.type, actor: r.actor, detail: r.detail, atMs: r.created_at.getTime() }));
}
