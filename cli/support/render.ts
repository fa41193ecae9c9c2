import type { OrderTimeline } from '../../support/timeline';
import type { notifyEndpoints, ResumeOutcome } from '../../support/endpoint-health';
import type { JobView } from '../../support/replay-jobs';
import type { ExhaustedOrder } from '../../db/order-search';
import type { ReconDiscrepancyView, ReconReportView } from '../../support/recon';

/** Human-readable output of the support CLI: aligned tables, one fact per row. */

type Cell = string | number | boolean | null | undefined;
const MAX_CELL = 70;

const str = (v: Cell) => (v === null || v === undefined || v === '' ? '-' : String(v));
const clip = (s: string, max = MAX_CELL) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
/** ISO time as `YYYY-MM-DD HH:mm:ss.SSS` (UTC, as the API gives it). */
export const time = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').replace('Z', '') : '-');

export function table(headers: string[], rows: Cell[][]): string {
  const cells = rows.map((r) => r.map((c) => clip(str(c).replace(/\s+/g, ' '))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].map((l) => `  ${l}`).join('\n');
}

function fields(pairs: [string, Cell][]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `  ${k.padEnd(width)}  ${str(v)}`).join('\n');
}

export function renderTimeline(t: OrderTimeline): string {
  const o = t.order;
  const out: string[] = [];
  out.push(`Order ${o.orderId}  (merchant ${o.mercNo}, order ${o.mercOrderNo})`);
  out.push(fields([
    ['payStatus', `${o.payStatus}${o.latePayment ? ' (late payment)' : ''}`],
    ['amount', `${o.tradeAmt} ${o.feeType}  ${o.paywayCode}/${o.sceneCode}`],
    ['channel', `${o.channel} ${o.channelOrderNo ?? ''}`.trim()],
    ['notification', `${o.notifyState} after ${o.notifyAttempts} attempt(s)${o.notifyNextAt ? `, next at ${time(o.notifyNextAt)}` : ''}`],
    ['notifyUrl', o.notifyUrl],
    ['created', time(o.createdAt)],
    ['workflow', `${t.workflow.workflowId}  ${t.workflow.status}`],
    ...(t.lateReport ? [['late payment', `${t.lateReport.workflowId}  ${t.lateReport.status}`] as [string, Cell]] : []),
    ...(liveText(t) ? [['live state', liveText(t)] as [string, Cell]] : []),
  ]));
  if (t.payout) {
    const p = t.payout;
    out.push('', `Payout (tradeType ${p.tradeType})`);
    out.push(fields([
      ['payee', `${p.payeeName}  ${p.payeeAccountType} ${p.payeeAccount}${p.bankCode ? ` (${p.bankCode})` : ''}`],
      ['approval', `${p.approval}${p.approvalActor ? ` by ${p.approvalActor}: ${p.approvalReason ?? ''}` : ''}`],
      ['daily limit', `${p.limitDay}${p.countsOnLimit ? '' : ' (given back)'}`],
      ['channel', p.channelTransferNo ? `transfer ${p.channelTransferNo}` : null],
      ...(p.failReason ? [['failed', p.failReason] as [string, Cell]] : []),
    ]));
  }
  if (t.refunds.length) {
    out.push('', `Refunds (refunded ${t.refundedAmt})`);
    out.push(table(['REFUND ID', 'MERC REFUND NO', 'AMOUNT', 'STATUS', 'NOTIFICATION', 'ACCEPTED', 'REFUNDED / REASON'], t.refunds.map((r) => [
      r.refundId, r.mercRefundNo, r.refundAmt, r.refundStatus, `${r.notifyState} (${r.notifyAttempts})`, time(r.createdAt),
      r.refundEndTime ?? r.failReason,
    ])));
  }
  out.push('', 'Timeline (UTC)');
  out.push(t.timeline.length ? table(['TIME', 'SOURCE', 'WHAT'], t.timeline.map((e) => [time(e.at), e.source, e.summary])) : '  (nothing recorded)');
  out.push('', 'Notification attempts');
  out.push(t.notifications.length
    ? table(['#', 'TIME', 'STATUS', 'RESULT', 'HTTP', 'MS', 'ANSWER', 'ERROR', 'URL'], t.notifications.map((a) => [
      a.attempt, time(a.at), a.payStatus, a.outcome, a.httpStatus, a.latencyMs,
      a.answerExcerpt ? clip(JSON.stringify(a.answerExcerpt), 32) : null, a.error, a.url,
    ]))
    : '  (none)');
  if (t.notifications.length) out.push(`  X-Notify-Id: ${[...new Set(t.notifications.map((a) => a.notifyId))].join(', ')}`);
  if (t.channelCallbacks === null) out.push('', 'Channel callbacks: not recorded by this installation');
  return out.join('\n');
}

/** The running workflow's own view (orderStateQuery), or why it is unavailable. */
function liveText(t: OrderTimeline): string | null {
  const live = t.workflow.live;
  if (!live) return t.workflow.note;
  const n = live.notify;
  return `${live.payStatus}, notification ${n.state}${n.paused ? ' (paused)' : ''}, ${n.attempts} attempt(s)` +
    `${n.nextAttemptAtMs ? `, next at ${time(new Date(n.nextAttemptAtMs).toISOString())}` : ''}${n.url ? `, redirected to ${n.url}` : ''}`;
}

export type ExhaustedView = { total: number; orders: (Omit<ExhaustedOrder, 'lastAttemptAtMs' | 'updatedAtMs'> & { lastAttemptAt: string | null })[] };

export function renderExhausted(v: ExhaustedView): string {
  if (v.orders.length === 0) return 'No exhausted notifications.';
  return [
    `${v.total} order(s) with an exhausted notification${v.total > v.orders.length ? ` (showing ${v.orders.length})` : ''}`,
    table(['ORDER ID', 'MERCHANT', 'MERC ORDER NO', 'STATUS', 'ATTEMPTS', 'LAST ATTEMPT', 'LAST ERROR'], v.orders.map((o) => [
      o.orderId, o.mercNo, o.mercOrderNo, o.payStatus, o.notifyAttempts, time(o.lastAttemptAt), o.lastError,
    ])),
  ].join('\n');
}

export interface AmbiguousView {
  total: number;
  orders: { orderId: string; mercNo: string; mercOrderNo: string; payStatus: string; tradeAmtFen: string; kind: string; reason: string; openedAt: string;
    refundId?: string; retryStart?: string }[];
}

/** For each start the workers gave up on (its workflow never ran): the command that acts on it, in full. */
const retryStartLines = (v: AmbiguousView) => v.orders.filter((o) => o.retryStart).map((o) =>
  `order ${o.orderId}: its ${o.refundId ? 'refund' : 'payout'} was never started; once the cause is fixed: ` +
  `npm run support -- retry-start ${o.refundId ? `refund ${o.refundId}` : `payout ${o.orderId}`} --reason TEXT`);

export function renderAmbiguous(v: AmbiguousView): string {
  if (v.orders.length === 0) return 'No order is waiting for a decision.';
  return [
    `${v.total} order(s) waiting for a decision${v.total > v.orders.length ? ` (showing ${v.orders.length})` : ''}`,
    table(['ORDER ID', 'MERCHANT', 'MERC ORDER NO', 'STATUS', 'AMOUNT FEN', 'KIND', 'SINCE', 'REASON'], v.orders.map((o) => [
      o.orderId, o.mercNo, o.mercOrderNo, o.payStatus, o.tradeAmtFen, o.kind, time(o.openedAt), o.reason,
    ])),
    ...retryStartLines(v),
  ].join('\n');
}

export interface PendingApprovalsView {
  total: number;
  payouts: { orderId: string; mercNo: string; mercOrderNo: string; tradeType: string; tradeAmt: string; payeeName: string; payeeAccount: string; payeeAccountType: string; acceptedAt: string }[];
}

export function renderPendingApprovals(v: PendingApprovalsView): string {
  if (v.payouts.length === 0) return 'No payout is waiting for approval.';
  return [
    `${v.total} payout(s) waiting for approval${v.total > v.payouts.length ? ` (showing ${v.payouts.length})` : ''}`,
    table(['ORDER ID', 'MERCHANT', 'MERC ORDER NO', 'TYPE', 'AMOUNT', 'PAYEE', 'ACCEPTED'], v.payouts.map((p) => [
      p.orderId, p.mercNo, p.mercOrderNo, p.tradeType, p.tradeAmt, `${p.payeeName} ${p.payeeAccountType} ${p.payeeAccount}`, time(p.acceptedAt),
    ])),
  ].join('\n');
}

export function renderJob(j: JobView): string {
  const lines = [
    `Job ${j.id}: ${j.state}, ${j.done} done, ${j.failed} failed, ${j.pending} pending of ${j.total} (${j.ratePerSecond}/s)`,
  ];
  if (j.actor) lines.push(`  started by: ${j.actor}`);
  const paths = Object.entries(j.byPath).map(([p, n]) => `${p} ${n}`).join(', ');
  if (paths) lines.push(`  replayed via: ${paths}`);
  if (j.error) lines.push(`  error: ${j.error}`);
  if (j.failures.length) lines.push('  failures:', table(['ORDER ID', 'ERROR'], j.failures.map((f) => [f.orderId, f.error])));
  return lines.join('\n');
}

export type EndpointsView = Awaited<ReturnType<typeof notifyEndpoints>>;

export function renderEndpoints(v: EndpointsView): string {
  if (v.endpoints.length === 0) return 'No notify endpoint listed (paused ones by default; --all lists every endpoint on record).';
  return table(['MERCHANT', 'URL', 'STATE', 'PAUSED AT', 'FAILING SINCE', 'HELD', 'LAST ERROR'], v.endpoints.map((e) => [
    e.mercNo, e.url, e.state, time(e.pausedAt), time(e.failingSince), e.heldNotifications, e.lastError,
  ]));
}

export function renderEndpointResume(r: ResumeOutcome & { actor: string }): string {
  const lines = [`endpoint ${r.url} of ${r.mercNo} resumed by ${r.actor}: ${r.released.length} held notification(s) released, ` +
    `${r.replayed.length} exhausted during the outage replayed`];
  if (r.failed.length) lines.push('  not done now (resume again to retry):', table(['ORDER ID', 'REASON'], r.failed.map((f) => [f.orderId, f.reason])));
  return lines.join('\n');
}

export interface ReconReportsView { runs: ReconReportView[] }
export interface ReconReportDetail { run: ReconReportView; discrepancies: ReconDiscrepancyView[] }

const KIND_LABELS: [keyof ReconReportView['counts'], string][] = [
  ['paid_not_ours', 'PAID NOT OURS'], ['amount_mismatch', 'AMOUNT'], ['paid_elsewhere', 'TWICE'], ['missing_at_channel', 'MISSING'], ['refund_mismatch', 'REFUND'], ['unknown_order', 'UNKNOWN'],
];

export function renderReconReports(v: ReconReportsView): string {
  if (v.runs.length === 0) return 'No reconciliation report (the daily schedules make one per channel and day; recon run <channel> <date> makes one now).';
  return table(['DATE', 'CHANNEL', 'STATUS', 'LINES', 'MATCHED', 'OPEN', ...KIND_LABELS.map(([, l]) => l), 'FINISHED'], v.runs.map((r) => [
    r.date, r.channel, r.status, r.lines, r.matched, r.discrepancies, ...KIND_LABELS.map(([k]) => r.counts[k]), time(r.finishedAt),
  ]));
}

export function renderReconReport(v: ReconReportDetail): string {
  const r = v.run;
  const lines = [
    `Reconciliation of ${r.channel} for ${r.date} (Asia/Shanghai): ${r.status}`,
    fields([
      ['statement lines', r.lines], ['matched', r.matched], ['channel paid fen', r.channelPayFen], ['channel refunded fen', r.channelRefundFen],
      ['open discrepancies', r.discrepancies], ...KIND_LABELS.map(([k, l]): [string, Cell] => [`  ${l.toLowerCase()}`, r.counts[k]]),
      ['runs', r.attempts], ['started', time(r.startedAt)], ['finished', time(r.finishedAt)], ['error', r.error], ['workflow', r.workflowId],
    ]),
  ];
  if (v.discrepancies.length === 0) lines.push('No discrepancy.');
  else {
    lines.push('Discrepancies:', table(['KIND', 'ORDER ID', 'REFUND ID', 'CHANNEL FEN', 'OUR FEN', 'ACTION', 'OUTCOME', 'CLEARED', 'DETAIL'], v.discrepancies.map((d) => [
      d.kind, d.orderId, d.refundId, d.channelFen, d.ourFen, d.action, d.outcome, time(d.clearedAt), d.detail,
    ])));
  }
  return lines.join('\n');
}
