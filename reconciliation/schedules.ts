import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { AppConfig } from '../config';
import type { ChannelName } from '../domain/channels';
import type { ReconciliationInput } from '../workflows/reconciliation';

/** The daily schedule of one channel's reconciliation. */
export const reconScheduleId = (channel: ChannelName) => `recon:${channel}`;

/** What the schedule of one channel is: daily at RECON_AT in Asia/Shanghai, the previous day, one run at a time. */
export function reconScheduleOptions(config: Pick<AppConfig, 'recon' | 'temporal'>, channel: ChannelName): ScheduleOptions {
  const at = config.recon.at ?? { hour: 10, minute: 0 };
  const input: ReconciliationInput = { channel, retryScheduleMs: config.recon.retryScheduleMs };
  return {
    scheduleId: reconScheduleId(channel),
    spec: { calendars: [{ hour: at.hour, minute: at.minute, comment: `reconcile ${channel}'s previous day` }], timezone: 'Asia/Shanghai' },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconciliationWorkflow',
      args: [input],
      taskQueue: config.temporal.taskQueue,
      workflowId: `recon:${channel}:scheduled`,
    },
    // A day's run still going (a statement retried for hours) is not doubled; a worker down at the time catches up within a day.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
  };
}

/**
 * Creates each configured channel's schedule, or brings an existing one up to date (spec and action), so that every
 * worker start leaves the same schedules whatever ran before. Nothing when RECON_AT is off. Returns the ids.
 */
export async function ensureReconSchedules(client: Client, config: Pick<AppConfig, 'recon' | 'temporal'>): Promise<string[]> {
  if (config.recon.at === null) return [];
  const ids: string[] = [];
  for (const channel of config.recon.channels) {
    const options = reconScheduleOptions(config, channel);
    try {
      await client.schedule.create(options);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((prev) => ({ ...prev, spec: options.spec, action: options.action, policies: { ...prev.policies, ...options.policies } }));
    }
    ids.push(options.scheduleId);
  }
  return ids;
}
