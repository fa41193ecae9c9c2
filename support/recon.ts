import type { AppConfig } from '../config';
import { findRun, listDiscrepancies, listRuns, type ReconDiscrepancy, type ReconRun } from '../db/recon';
import type { ChannelName } from '../domain/channels';
import { SupportError } from '../domain/errors';
import { startReconRun } from '../reconciliation/run';
import { isStatementDate } from '../domain/reconciliation';
import type { SupportEnv } from './temporal';

/** Reconciliation reports for support (API, CLI, console): one per channel and day, with its findings. */
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const reportView = (r: ReconRun) => ({
  channel: r.channel, date: r.date, status: r.status, attempts: r.attempts, lines: r.lines, matched: r.matched,
  channelPayFen: r.channelPayFen, channelRefundFen: r.channelRefundFen, discrepancies: r.discrepancies, counts: r.counts,
  error: r.error, workflowId: r.workflowId, startedAt: iso(r.startedAtMs), finishedAt: iso(r.finishedAtMs),
});
export type ReconReportView = ReturnType<typeof reportView>;

export const discrepancyView = (d: ReconDiscrepancy) => ({
  id: d.id, kind: d.kind, orderId: d.orderId, refundId: d.refundId, channelTradeNo: d.channelTradeNo, channelFen: d.channelFen,
  ourFen: d.ourFen, detail: d.detail, action: d.action, outcome: d.outcome, actedAt: iso(d.actedAtMs), foundAt: iso(d.foundAtMs),
  clearedAt: iso(d.clearedAtMs),
});
export type ReconDiscrepancyView = ReturnType<typeof discrepancyView>;

export async function reconReports(env: SupportEnv, q: { channel?: ChannelName; from?: string; to?: string; limit: number }) {
  // A bound of year 0 (a valid ISO date, not a PostgreSQL one) is before every day: as a lower bound none, as an upper one nothing.
  if (q.to !== undefined && !isStatementDate(q.to)) return { runs: [] };
  const { from, ...rest } = q;
  const bounded = from !== undefined && isStatementDate(from) ? { ...rest, from } : rest;
  return { runs: (await listRuns(env.pool, bounded)).map(reportView) };
}

/** One channel's report of one day with its findings (open ones first), or not_found. */
export async function reconReport(env: SupportEnv, channel: ChannelName, date: string) {
  const run = isStatementDate(date) ? await findRun(env.pool, channel, date) : null;
  if (!run) throw new SupportError('not_found', `no reconciliation of ${channel} for ${date} (support recon run starts one)`);
  return { run: reportView(run), discrepancies: (await listDiscrepancies(env.pool, channel, date)).map(discrepancyView) };
}

/**
 * Runs a channel's day now (or joins its run under way); the report shows it as running until it ends.
 * `previousAttempts`: the day's runs before this one (the report's `attempts` exceeds it once this run has begun).
 */
export async function runRecon(env: SupportEnv, config: Pick<AppConfig, 'recon' | 'temporal'>, channel: ChannelName, date: string, actor: string) {
  const before = isStatementDate(date) ? await findRun(env.pool, channel, date) : null;
  const { workflowId } = await startReconRun(env.temporal, { ...config, temporal: { ...config.temporal, taskQueue: env.taskQueue } }, channel, date);
  // A run under way is joined: it counts as this one.
  const previousAttempts = before ? before.attempts - (before.status === 'running' ? 1 : 0) : 0;
  return { channel, date, workflowId, previousAttempts, actor };
}
