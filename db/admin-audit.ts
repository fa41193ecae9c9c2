import type { Queryable } from './pool';

/** One administrative change (table admin_audit): never a key or a secret in `detail`. */
export interface AdminAuditRow {
  id: number;
  actor: string;
  action: string;
  mercNo: string;
  detail: Record<string, unknown>;
  at: string;
}

interface Row { id: string; actor: string; action: string; merc_no: string; detail: Record<string, unknown>; created_at: Date }

/** Records a change; call it in the transaction that makes the change. */
export async function recordAdminAction(
  db: Queryable, a: { actor: string; action: string; mercNo: string; detail: Record<string, unknown> },
): Promise<void> {
  await db.query('INSERT INTO admin_audit (actor, action, merc_no, detail) VALUES ($1, $2, $3, $4)',
    [a.actor, a.action, a.mercNo, JSON.stringify(a.detail)]);
}

/** A merchant's administrative history, newest first. */
export async function listAdminAudit(db: Queryable, mercNo: string, limit: number): Promise<AdminAuditRow[]> {
  const { rows } = await db.query<Row>(
    'SELECT id, actor, action, merc_no, detail, created_at FROM admin_audit WHERE merc_no = $1 ORDER BY id DESC LIMIT $2', [mercNo, limit]);
  return rows.map((r) => ({ id: Number(r.id), actor: r.actor, action: r.action, mercNo: r.merc_no, detail: r.detail, at: r.created_at.toISOString() }));
}
