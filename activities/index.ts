import type { ActivityDeps } from './deps';
import { createChannelActivities } from './channel-calls';
import { createNotifyActivities } from './notify-delivery';
import { createOrderRecordActivities } from './order-records';

/** All activities of the order workflows, built over their dependencies (wired in worker/). */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderRecordActivities(deps),
    ...createChannelActivities(deps),
    ...createNotifyActivities(deps),
  };
}

export type OrderActivities = ReturnType<typeof createActivities>;
export type { ActivityDeps };
