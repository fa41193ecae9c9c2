import type { AppConfig } from '../config';
import type { Keyring } from '../secrets/keyring';
import type { Pool } from '../db/pool';
import type { ChannelRegistry } from '../domain/channels';
import type { Logger } from '../config/logger';
import type { ActivityMetrics } from '../observability/hooks';
import type { ChannelCircuits } from '../channels/circuits';

/** What the activities are built over; the worker wires real ones, unit tests pass fakes. */
export interface ActivityDeps {
  pool: Pool;
  channels: ChannelRegistry;
  log: Logger;
  /** Merchant notification: a delivery fails unless the answer is `success` within this time. */
  notifyTimeoutMs: number;
  /** Endpoint health: a notify endpoint failing continuously this long is paused (default 72h). */
  notifyEndpointPauseAfterMs?: number;
  /** Notifications may connect to loopback/private addresses (local demo and tests); default: public only. */
  notifyAllowPrivate?: boolean;
  /** Channel status polling backoff (the worker's poller follows it; a new order's first poll is its first delay). */
  pollScheduleMs: number[];
  /** Closed/expired orders of a channel whose close is only local are watched until its timeout plus this. */
  watchMarginMs?: number;
  now?: () => number;
  /** Opens the merchant keys that sign notifications (config MASTER_KEYS); empty = keys stored in plaintext. */
  keyring?: Keyring;
  /** The worker's per-channel circuit breakers (consulted before every channel call); absent = none. */
  circuits?: ChannelCircuits;
  /** Metrics hooks (observability/); absent in unit tests that do not look at metrics. */
  metrics?: ActivityMetrics;
}

/** The activities' dependencies as a worker or a poller process wires them: settings from config, parts given. */
export function activityDepsFromConfig(
  config: AppConfig,
  parts: Pick<ActivityDeps, 'pool' | 'channels' | 'log' | 'circuits' | 'metrics'>,
): ActivityDeps {
  return {
    ...parts,
    notifyTimeoutMs: config.notify.timeoutMs,
    notifyEndpointPauseAfterMs: config.notify.endpointPauseAfterMs,
    notifyAllowPrivate: config.notify.allowPrivateAddresses,
    pollScheduleMs: config.pollScheduleMs,
    watchMarginMs: config.settlement.watchMarginMs,
    keyring: config.secrets.keyring,
  };
}
