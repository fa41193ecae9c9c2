import type { Queryable } from '../../db/pool';
import { parseFenColumn } from '../../domain/money';
import { shanghaiDayWindow, type StatementLine } from '../../domain/reconciliation';
import { csvFields, StatementFormatError } from '../statement-files';

/**
 * The sandbox's daily statement (docs/channels.md "Reconciliation"): a CSV file written from its own books
 * (sandbox_orders paid that Asia/Shanghai day, sandbox_refunds refunded that day), then read back like any channel's
 * file. Header `type,channelOrderNo,orderId,refundId,amountFen,status,at` (at: ISO 8601 UTC); a last line
 * `#total,<lines>,<pay fen>,<refund fen>`.
 */
export const SANDBOX_STATEMENT_HEADER = 'type,channelOrderNo,orderId,refundId,amountFen,status,at';

export async function sandboxStatementFile(db: Queryable, date: string): Promise<string> {
  const { startMs, endMs } = shanghaiDayWindow(date);
  const window = [new Date(startMs), new Date(endMs)];
  const pays = await db.query<{ channel_order_no: string; order_id: string; amount_fen: string; paid_at: Date }>(
    `SELECT channel_order_no, order_id, amount_fen, paid_at FROM sandbox_orders
      WHERE status = 'paid' AND paid_at >= $1 AND paid_at < $2 ORDER BY paid_at, channel_order_no`, window);
  const refunds = await db.query<{ refund_id: string; channel_order_no: string; order_id: string; amount_fen: string; refunded_at: Date }>(
    `SELECT r.refund_id, r.channel_order_no, o.order_id, r.amount_fen, r.refunded_at
       FROM sandbox_refunds r JOIN sandbox_orders o USING (channel_order_no)
      WHERE r.refunded_at >= $1 AND r.refunded_at < $2 ORDER BY r.refunded_at, r.refund_id`, window);
  const rows = [
    ...pays.rows.map((p) => ['pay', p.channel_order_no, p.order_id, '', String(parseFenColumn(p.amount_fen)), 'paid', p.paid_at.toISOString()]),
    ...refunds.rows.map((r) => ['refund', r.channel_order_no, r.order_id, r.refund_id, String(parseFenColumn(r.amount_fen)), 'refunded', r.refunded_at.toISOString()]),
  ];
  const payFen = pays.rows.reduce((n, p) => n + parseFenColumn(p.amount_fen), 0);
  const refundFen = refunds.rows.reduce((n, r) => n + parseFenColumn(r.amount_fen), 0);
  return [SANDBOX_STATEMENT_HEADER, ...rows.map((r) => r.join(',')), `#total,${rows.length},${payFen},${refundFen}`].join('\n') + '\n';
}

/** Parses a sandbox statement file; its total line must match its lines. */
export function parseSandboxStatement(text: string): StatementLine[] {
  const rows = text.split(/\r?\n/).filter((r) => r !== '');
  if (rows[0] !== SANDBOX_STATEMENT_HEADER) throw new StatementFormatError('sandbox statement: unexpected header');
  const lines: StatementLine[] = [];
  let total: string[] | null = null;
  for (let n = 1; n < rows.length; n++) {
    const f = csvFields(rows[n]!);
    if (f[0] === '#total') { total = f; break; }
    const [type, channelTradeNo, orderId, refundId, fen, status, at] = f as [string, string, string, string, string, string, string];
    const amountFen = /^\d{1,15}$/.test(fen ?? '') ? Number(fen) : Number.NaN;
    const atMs = Date.parse(at ?? '');
    if (f.length !== 7 || !(amountFen > 0) || !Number.isFinite(atMs) || !orderId) throw new StatementFormatError(`sandbox statement line ${n + 1}: unreadable`);
    if (type === 'pay') lines.push({ type: 'pay', channelTradeNo, orderId, amountFen, status, atMs });
    else if (type === 'refund' && refundId) lines.push({ type: 'refund', channelTradeNo, orderId, refundId, amountFen, status, atMs });
    else throw new StatementFormatError(`sandbox statement line ${n + 1}: type must be pay or refund (with refundId)`);
  }
  const sum = (t: 'pay' | 'refund') => lines.filter((l) => l.type === t).reduce((n, l) => n + l.amountFen, 0);
  if (!total || Number(total[1]) !== lines.length || Number(total[2]) !== sum('pay') || Number(total[3]) !== sum('refund')) {
    throw new StatementFormatError('sandbox statement: the #total line is missing or does not match');
  }
  return lines;
}
