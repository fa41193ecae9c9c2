import { ZodError } from 'zod';
import { ConfigError } from '../config';
import type { Pool, Queryable } from '../db/pool';
import { findChannelRoutes } from '../db/channel-routes';
import { CHANNEL_NAMES, type ChannelName, type ChannelRegistry, type LiveChannelName } from '../domain/channels';
import type { OrderDraft } from '../domain/order';
import { ApiError } from '../domain/errors';
import type { Mode } from '../domain/mode';
import type { Keyring } from '../secrets/keyring';
import type { AppConfig } from '../config';
import type { BuiltChannel, ChannelAccountAdmin, ChannelDeps, ChannelPlugin } from './plugin';
import { sandboxPlugin } from './sandbox/plugin';
import { ipaynowPlugin } from './ipaynow/plugin';
import { alipayPlugin } from './alipay/plugin';
import { wechatpayPlugin } from './wechatpay/plugin';

/**
 * Every channel of this build: one line per channel folder. Typed over domain/channels.ts CHANNEL_NAMES, so a name
 * without a plug-in (or the other way round) does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each plug-in has settings of its own type
const PLUGINS: { readonly [N in ChannelName]: ChannelPlugin<any, N> } = {
  sandbox: sandboxPlugin,
  ipaynow: ipaynowPlugin,
  alipay: alipayPlugin,
  wechatpay: wechatpayPlugin,
};

/** The channels as built for one process: their outbound calls (the activities' registry) and the rest by name. */
export interface Channels {
  registry: ChannelRegistry;
  built: Readonly<Record<ChannelName, BuiltChannel>>;
}

/**
 * Reads and validates every channel's settings (config.channelEnv), and that the live default channel
 * (DEFAULT_CHANNEL) can serve merchants without an account of their own. Throws ConfigError naming the variable.
 */
export function loadChannelSettings(config: Pick<AppConfig, 'channelEnv' | 'channels'>): Record<ChannelName, unknown> {
  const issues: string[] = [];
  const settings = {} as Record<ChannelName, unknown>;
  for (const name of CHANNEL_NAMES) {
    try {
      settings[name] = PLUGINS[name].loadSettings(config.channelEnv);
    } catch (err) {
      if (err instanceof ZodError) issues.push(...err.issues.map((i) => `  ${i.path.join('.') || name}: ${i.message}`));
      else issues.push(`  ${name}: ${(err as Error).message}`);
    }
  }
  const fallback = config.channels.defaultLiveChannel;
  if (fallback !== undefined && issues.length === 0 && !PLUGINS[fallback].servesWithoutAccount(settings[fallback])) {
    issues.push(`  DEFAULT_CHANNEL: ${fallback} as the default channel needs the platform's own account (see docs/channels.md)`);
  }
  if (issues.length > 0) throw new ConfigError(`invalid configuration:\n${issues.join('\n')}`);
  return settings;
}

/** Builds every registered channel over its dependencies (settings validated first: a bad one stops the process). */
export function createChannels(deps: { pool: Pool; config: AppConfig; log: ChannelDeps['log']; now?: () => number }): Channels {
  const settings = loadChannelSettings(deps.config);
  const channelDeps: ChannelDeps = { pool: deps.pool, config: deps.config, log: deps.log, now: deps.now ?? Date.now };
  const built = {} as Record<ChannelName, BuiltChannel>;
  const registry = {} as ChannelRegistry;
  for (const name of CHANNEL_NAMES) {
    built[name] = PLUGINS[name].build(settings[name], channelDeps);
    registry[name] = built[name].outbound;
  }
  return { registry, built };
}

/** Re-seals every channel's stored credentials under the keyring's current master key; how many per channel. */
export async function resealChannelAccounts(db: Queryable, keyring: Keyring): Promise<Partial<Record<ChannelName, number>>> {
  const counts: Partial<Record<ChannelName, number>> = {};
  for (const name of CHANNEL_NAMES) {
    const reseal = PLUGINS[name].resealAccounts;
    if (reseal) counts[name] = await reseal(db, keyring);
  }
  return counts;
}

/** The channels whose per-merchant accounts the admin API sets, with how (ChannelPlugin.accountAdmin). */
export function channelAccountAdmins(): [ChannelName, ChannelAccountAdmin][] {
  return CHANNEL_NAMES.flatMap((name) => {
    const admin = PLUGINS[name].accountAdmin;
    return admin ? [[name, admin] as [ChannelName, ChannelAccountAdmin]] : [];
  });
}

/** What routing needs from the configuration: the live default, and whether this deployment runs the sandbox. */
export interface RoutingSettings {
  /** Channel of a live payway without a channel_routes row; undefined = none (refused 200002). */
  defaultLiveChannel: LiveChannelName | undefined;
  sandboxEnabled: boolean;
}

/**
 * Which channels serve an order, in the order they are tried (the first one gets the order; the others take it over
 * when the first refuses it definitively or its circuit is open: workflows/order.ts). A test order: the sandbox,
 * always (and only where it is enabled). A live order: channel_routes (the payway's rows, else the merchant's '*'
 * rows), else the live default; never the sandbox. What cannot be served is ApiError 200002 naming the reason.
 */
export async function routeChannels(
  db: Queryable, settings: RoutingSettings, mercNo: string, order: Pick<OrderDraft, 'sceneCode' | 'paywayCode' | 'attach'>, mode: Mode,
): Promise<[ChannelName, ...ChannelName[]]> {
  const payway = order.paywayCode;
  let channels: ChannelName[];
  if (mode === 'test') {
    if (!settings.sandboxEnabled) throw new ApiError('200002', 'test mode is not served by this deployment (the sandbox is off)', 'paywayCode');
    channels = ['sandbox'];
  } else {
    const routed = await findChannelRoutes(db, mercNo, payway);
    channels = routed.length > 0 ? routed : settings.defaultLiveChannel ? [settings.defaultLiveChannel] : [];
    if (channels.length === 0) throw new ApiError('200002', `no channel is configured for paywayCode ${payway}`, 'paywayCode');
    if (channels.includes('sandbox')) throw new ApiError('200002', 'live orders never reach the sandbox: use a test key, or route the payway to a real channel', 'paywayCode');
  }
  // A channel whose own requirement the order does not meet (ChannelPlugin.orderRequirement: Alipay jspay without the
  // payer) is left out; when none is left, the request is refused naming the field, before any order exists.
  const unmet = channels.map((c) => PLUGINS[c].orderRequirement?.(order) ?? null);
  const servable = channels.filter((_c, i) => !unmet[i]);
  if (servable.length === 0) throw ApiError.invalidField(unmet[0]!.field, unmet[0]!.rule);
  return servable as [ChannelName, ...ChannelName[]];
}
