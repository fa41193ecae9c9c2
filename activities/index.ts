import type { ActivityDeps } from './deps';
import { createChannelActivities } from './channel-calls';
import { createNotifyActivities } from './notify-delivery';
import { createOrderRecordActivities } from './order-records';
import { createRefundRecordActivities } from './refund-records';
import { createPayoutRecordActivities } from './payout-records';
import { createSupportJobActivities, type SupportJobActivities } from './support-jobs';
import { withMetrics } from './instrumented';
import { createOpenAndCreate } from './open-and-create';

/** All activities of the order workflows, built over their dependencies (wired in worker/). */
export function createActivities(deps: ActivityDeps) {
  const acts = withMetrics({
    ...createOrderRecordActivities(deps),
    ...createRefundRecordActivities(deps),
    ...createPayoutRecordActivities(deps),
    ...createChannelActivities(deps),
    ...createNotifyActivities(deps),
  }, deps);
  return {
    ...acts,
    // The unified order's first task in one activity, over the same (instrumented) steps.
    ...createOpenAndCreate(acts, deps.log),
    // Bulk notification replay jobs (workflows/support-replay-job.ts).
    ...createSupportJobActivities(deps),
  };
}

/** The order workflows' activities (what workflow tests stub); the worker also registers the support job's. */
export type OrderActivities = Omit<ReturnType<typeof createActivities>, keyof SupportJobActivities>;
export type { ActivityDeps };
