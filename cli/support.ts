import { parseArgs } from 'node:util';
import { supportRequest, supportSettings, type SupportSettings } from './support/client';
import { progressLine } from './support/progress';
import {
  renderAmbiguous, renderEndpointResume, renderEndpoints, renderExhausted, renderJob, renderPendingApprovals, renderReconReport,
  renderReconReports, renderTimeline, type AmbiguousView, type EndpointsView, type ExhaustedView, type PendingApprovalsView,
  type ReconReportDetail, type ReconReportsView,
} from './support/render';
import type { ResumeOutcome } from '../support/endpoint-health';
import type { OrderTimeline } from '../support/timeline';
import type { JobView } from '../support/replay-jobs';
import { terminalSafe } from './support/terminal-safe';

/** Everything printed goes through terminalSafe: order data must not drive the operator's terminal. */
const out = (text: string) => void process.stdout.write(`${terminalSafe(text)}\n`);
const errOut = (text: string) => void process.stderr.write(`${terminalSafe(text)}\n`);

/**
 * Support staff's command line over the support API (/support/v1 on the API's admin listener). Settings:
 * SUPPORT_ADMIN_URL (default http://127.0.0.1:8081) and SUPPORT_TOKEN (your own operator token: every action is
 * audited under your operator name), or .data/support-admin.json written by `npm start`. Every command takes --json to print the API's JSON instead.
 */
const USAGE = `usage: npm run support -- <command> [--json]

  show <orderId>                    the order's timeline: state, audit, channel calls, notification attempts
  show <mercNo> <mercOrderNo>       the same, by the merchant's order number
  replay <orderId>                  send the order's notification again now
  pause <orderId> | resume <orderId>            hold / release the pending notification (open orders)
  redirect <orderId> <url>          send the pending notification's next attempts to another URL (open orders)
  bulk-replay [--merc-no M] [--status p0000] [--notify-state exhausted] [--from ISO] [--to ISO]
              [--dry-run] [--rate N] [--detach]
                                    replay every matching order (dry run: count only); waits with a progress bar
  job <jobId>                       a bulk replay job's progress
  exhausted [--merc-no M] [--limit N]           orders whose notification exhausted its schedule
  ambiguous [--merc-no M] [--limit N]           the human queue: orders waiting for a person's decision
  resolve <orderId> --decision paid|unpaid --reason TEXT
                                    decide an order in the human queue (applied and audited by its workflow,
                                    with you — the operator whose token this is — as the actor)
  retry-start refund <refundId> --reason TEXT | retry-start payout <orderId> --reason TEXT
                                    start now the workflow of a refund or payout the workers gave up starting (in the
                                    human queue with "retry start"), once you fixed the cause; audited with you as actor
  approvals [--merc-no M] [--limit N]           payouts waiting for a support operator's approval
  approve <orderId> --reason TEXT | reject <orderId> --reason TEXT
                                    decide a payout waiting for approval (applied by its workflow: approve sends it,
                                    reject fails it p0004; audited with you as the actor)
  endpoints [--merc-no M] [--all] [--limit N]   merchant notify endpoints paused for failing too long (--all: every one)
  resume-endpoint <mercNo> <url>    resume a paused endpoint: its held notifications are sent now and orders
                                    exhausted during the outage replayed, each once with its latest state
  recon [--channel C] [--from DATE] [--to DATE] [--limit N]
                                    reconciliation reports per channel and day: lines, matched, discrepancy counts
  recon show <channel> <date>       one report with its discrepancies and what was done about each
  recon run <channel> <date> [--detach]
                                    reconcile a channel's day now (dates YYYY-MM-DD, Asia/Shanghai); waits for the report
                                    (up to 5 minutes; exit 2 when the run failed)

exit codes: 0 ok, 1 error, 2 bulk replay finished with failed orders (or resume-endpoint left orders to retry)`;

const POLL_MS = 500;
const RECON_WAIT_MS = 5 * 60_000;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'merc-no': { type: 'string' }, status: { type: 'string' }, 'notify-state': { type: 'string' },
      from: { type: 'string' }, to: { type: 'string' }, 'dry-run': { type: 'boolean', default: false },
      rate: { type: 'string' }, detach: { type: 'boolean', default: false }, limit: { type: 'string' },
      decision: { type: 'string' }, reason: { type: 'string' }, all: { type: 'boolean', default: false }, channel: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command || values.help ? 0 : 1;
  }
  const s = supportSettings();
  const print = (json: unknown, human: () => string) => out(values.json ? JSON.stringify(json, null, 2) : human());
  const orderArg = () => {
    if (args.length !== 1) throw new UsageError(`${command} needs exactly one orderId`);
    return encodeURIComponent(args[0]!);
  };

  switch (command) {
    case 'show': {
      if (args.length < 1 || args.length > 2) throw new UsageError('show <orderId> | show <mercNo> <mercOrderNo>');
      const path = args.length === 2
        ? `/orders/${encodeURIComponent(args[1]!)}?mercNo=${encodeURIComponent(args[0]!)}`
        : `/orders/${encodeURIComponent(args[0]!)}`;
      const t = await supportRequest<OrderTimeline>(s, 'GET', path);
      print(t, () => renderTimeline(t));
      return 0;
    }
    case 'replay':
    case 'pause':
    case 'resume': {
      const a = await supportRequest<{ message: string }>(s, 'POST', `/orders/${orderArg()}/notification/${command}`, {});
      print(a, () => a.message);
      return 0;
    }
    case 'redirect': {
      if (args.length !== 2) throw new UsageError('redirect <orderId> <url>');
      const a = await supportRequest<{ message: string }>(s, 'POST', `/orders/${encodeURIComponent(args[0]!)}/notification/redirect`, { url: args[1] });
      print(a, () => a.message);
      return 0;
    }
    case 'bulk-replay':
      return bulkReplay(s, values);
    case 'job': {
      if (args.length !== 1) throw new UsageError('job <jobId>');
      const j = await supportRequest<JobView>(s, 'GET', `/jobs/${encodeURIComponent(args[0]!)}`);
      print(j, () => renderJob(j));
      return 0;
    }
    case 'exhausted': {
      const q = new URLSearchParams();
      if (values['merc-no']) q.set('mercNo', values['merc-no']);
      if (values.limit) q.set('limit', values.limit);
      const v = await supportRequest<ExhaustedView>(s, 'GET', `/notifications/exhausted${q.size ? `?${q}` : ''}`);
      print(v, () => renderExhausted(v));
      return 0;
    }
    case 'ambiguous': {
      const q = new URLSearchParams();
      if (values['merc-no']) q.set('mercNo', values['merc-no']);
      if (values.limit) q.set('limit', values.limit);
      const v = await supportRequest<AmbiguousView>(s, 'GET', `/ambiguous${q.size ? `?${q}` : ''}`);
      print(v, () => renderAmbiguous(v));
      return 0;
    }
    case 'resolve': {
      const orderId = orderArg();
      if (!values.decision || !values.reason) throw new UsageError('resolve needs --decision paid|unpaid and --reason');
      const a = await supportRequest<{ orderId: string; payStatus: string; review: { decision: string; actor: string } }>(
        s, 'POST', `/orders/${orderId}/resolve`, { decision: values.decision, reason: values.reason });
      print(a, () => `order ${a.orderId} resolved as ${a.review.decision} by ${a.review.actor}: now ${a.payStatus}`);
      return 0;
    }
    case 'retry-start': {
      const [what, id] = args;
      if ((what !== 'refund' && what !== 'payout') || !id || args.length !== 2 || !values.reason) {
        throw new UsageError('retry-start refund <refundId> --reason TEXT | retry-start payout <orderId> --reason TEXT');
      }
      const path = what === 'refund' ? `/refunds/${encodeURIComponent(id)}/retry-start` : `/orders/${encodeURIComponent(id)}/retry-start`;
      const a = await supportRequest<{ workflowId: string; start: string; previousTries: number; actor: string }>(s, 'POST', path, { reason: values.reason });
      print(a, () => `${what} ${id}: workflow ${a.workflowId} ${a.start === 'started' ? 'started' : 'was there already'} by ${a.actor} ` +
        `(the workers had tried ${a.previousTries} times); out of the human queue`);
      return 0;
    }
    case 'approvals': {
      const q = new URLSearchParams();
      if (values['merc-no']) q.set('mercNo', values['merc-no']);
      if (values.limit) q.set('limit', values.limit);
      const v = await supportRequest<PendingApprovalsView>(s, 'GET', `/payouts/pending-approval${q.size ? `?${q}` : ''}`);
      print(v, () => renderPendingApprovals(v));
      return 0;
    }
    case 'approve':
    case 'reject': {
      const orderId = orderArg();
      if (!values.reason) throw new UsageError(`${command} needs --reason`);
      const a = await supportRequest<{ orderId: string; payStatus: string; approval: string; actor: string }>(
        s, 'POST', `/orders/${orderId}/payout-approval`, { decision: command, reason: values.reason });
      print(a, () => `payout ${a.orderId} ${a.approval} by ${a.actor}: now ${a.payStatus}`);
      return 0;
    }
    case 'endpoints': {
      const q = new URLSearchParams();
      if (values['merc-no']) q.set('mercNo', values['merc-no']);
      if (values.limit) q.set('limit', values.limit);
      if (values.all) q.set('state', 'all');
      const v = await supportRequest<EndpointsView>(s, 'GET', `/notify-endpoints${q.size ? `?${q}` : ''}`);
      print(v, () => renderEndpoints(v));
      return 0;
    }
    case 'resume-endpoint': {
      if (args.length !== 2) throw new UsageError('resume-endpoint <mercNo> <url>');
      const r = await supportRequest<ResumeOutcome & { actor: string }>(s, 'POST', '/notify-endpoints/resume', { mercNo: args[0], url: args[1] });
      print(r, () => renderEndpointResume(r));
      return r.failed.length > 0 ? 2 : 0;
    }
    case 'recon':
      return recon(s, args, values, print);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function recon(
  s: SupportSettings, args: string[], o: { channel?: string; from?: string; to?: string; limit?: string; detach: boolean },
  print: (json: unknown, human: () => string) => void,
): Promise<number> {
  const [sub, channel, date] = args;
  if (sub === undefined || sub === 'list') {
    const q = new URLSearchParams();
    if (o.channel) q.set('channel', o.channel);
    if (o.from) q.set('from', o.from);
    if (o.to) q.set('to', o.to);
    if (o.limit) q.set('limit', o.limit);
    const v = await supportRequest<ReconReportsView>(s, 'GET', `/recon/runs${q.size ? `?${q}` : ''}`);
    print(v, () => renderReconReports(v));
    return 0;
  }
  if ((sub !== 'show' && sub !== 'run') || !channel || !date || args.length !== 3) throw new UsageError('recon [list] | recon show <channel> <date> | recon run <channel> <date>');
  const path = `/recon/runs/${encodeURIComponent(channel)}/${encodeURIComponent(date)}`;
  if (sub === 'run') {
    const started = await supportRequest<{ workflowId: string; previousAttempts: number }>(s, 'POST', '/recon/runs', { channel, date });
    if (o.detach) {
      print(started, () => `reconciliation of ${channel} for ${date} started (${started.workflowId}): recon show ${channel} ${date}`);
      return 0;
    }
    // Wait for this run to end (a report from an earlier run of the day does not count; a joined run counts), for at
    // most RECON_WAIT_MS: a day whose statement is not ready is retried for hours, and the report says so meanwhile.
    const deadline = Date.now() + RECON_WAIT_MS;
    for (;;) {
      if (Date.now() > deadline) {
        errOut(`reconciliation of ${channel} for ${date} is still running (${started.workflowId}): recon show ${channel} ${date} later`);
        return 1;
      }
      const v = await supportRequest<ReconReportDetail>(s, 'GET', path).catch(() => null);
      if (v && v.run.status !== 'running' && v.run.attempts > started.previousAttempts) {
        print(v, () => renderReconReport(v));
        return v.run.status === 'failed' ? 2 : 0;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
  const v = await supportRequest<ReconReportDetail>(s, 'GET', path);
  print(v, () => renderReconReport(v));
  return 0;
}

async function bulkReplay(
  s: SupportSettings,
  o: { json: boolean; 'merc-no'?: string; status?: string; 'notify-state'?: string; from?: string; to?: string; 'dry-run': boolean; rate?: string; detach: boolean },
): Promise<number> {
  const filter = {
    ...(o['merc-no'] ? { mercNo: o['merc-no'] } : {}), ...(o.status ? { payStatus: o.status } : {}),
    ...(o['notify-state'] ? { notifyState: o['notify-state'] } : {}), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}),
  };
  if (o.rate !== undefined && !/^\d+$/.test(o.rate)) throw new UsageError('--rate must be a whole number of replays per second');
  const body = { filter, dryRun: o['dry-run'], ...(o.rate !== undefined ? { ratePerSecond: Number(o.rate) } : {}) };
  if (o['dry-run']) {
    const d = await supportRequest<{ count: number; sample: string[] }>(s, 'POST', '/notifications/replay', body);
    if (o.json) out(JSON.stringify(d, null, 2));
    else out(`${d.count} order(s) would be replayed${d.sample.length ? `; first: ${d.sample.join(', ')}` : ''}`);
    return 0;
  }
  let job = await supportRequest<JobView>(s, 'POST', '/notifications/replay', body);
  if (!o.json) out(`job ${job.id} started: ${job.total} order(s) at ${job.ratePerSecond}/s (npm run support -- job ${job.id})`);
  if (o.detach) {
    if (o.json) out(JSON.stringify(job, null, 2));
    return 0;
  }
  const progress = o.json ? null : progressLine(process.stdout);
  for (;;) {
    progress?.update(job);
    if (job.state !== 'running') break;
    await new Promise((r) => setTimeout(r, POLL_MS));
    job = await supportRequest<JobView>(s, 'GET', `/jobs/${job.id}`);
  }
  progress?.end();
  out(o.json ? JSON.stringify(job, null, 2) : renderJob(job));
  if (job.state === 'failed') return 1;
  return job.failed > 0 ? 2 : 0;
}

class UsageError extends Error {}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) errOut(`support: ${err.message}\n\n${USAGE}`);
    else errOut(`support: ${(err as Error).message}`);
    process.exit(1);
  },
);
