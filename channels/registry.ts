import type { Pool, Queryable } from '../db/pool';
import { findChannelRoute } from '../db/channel-routes';
import { findOrderById } from '../db/orders';
import { SCENE_CODES, type PaywayCode, type SceneCode } from '../domain/order';
import { createIpaynowChannel, type IpaynowOrderContext } from './ipaynow';
import { accountResolver, type IpaynowSettings } from './ipaynow/accounts';
import { createSandboxChannel } from './sandbox';
import type { ChannelName, ChannelRegistry, LiveChannelName } from './types';
import { ApiError } from '../domain/errors';
import type { Mode } from '../domain/mode';
import type { Keyring } from '../secrets/keyring';
import { qrImageUrl } from './urls';

/** Builds every registered channel over its dependencies. */
export function createChannels(deps: { pool: Pool; publicBaseUrl: string; ipaynow: IpaynowSettings; keyring: Keyring }): ChannelRegistry {
  const { pool, publicBaseUrl, ipaynow, keyring } = deps;
  return {
    sandbox: createSandboxChannel({ pool, publicBaseUrl }),
    ipaynow: createIpaynowChannel({
      accountFor: accountResolver(pool, ipaynow, keyring),
      orderContext: (orderId) => orderContextOf(pool, orderId),
      publicBaseUrl,
      qrImageUrl: (orderId) => qrImageUrl(publicBaseUrl, keyring, orderId),
      timeoutMs: ipaynow.timeoutMs,
    }),
  };
}

async function orderContextOf(db: Queryable, orderId: string): Promise<IpaynowOrderContext | null> {
  const order = await findOrderById(db, orderId);
  if (!order || !(SCENE_CODES as readonly string[]).includes(order.sceneCode)) return null;
  return { mercNo: order.mercNo, sceneCode: order.sceneCode as SceneCode, amountFen: order.amountFen };
}

/** What routing needs from the configuration: the live default, and whether this deployment runs the sandbox. */
export interface RoutingSettings {
  /** Channel of a live payway without a channel_routes row; undefined = none (refused 200002). */
  defaultLiveChannel: LiveChannelName | undefined;
  sandboxEnabled: boolean;
}

/**
 * Which channel serves an order. A test order: the sandbox, always (and only where it is enabled). A live order:
 * channel_routes (the payway's row, else the merchant's '*' row), else the live default; never the sandbox. What
 * cannot be served is ApiError 200002 naming the reason.
 */
export async function routeChannel(db: Queryable, settings: RoutingSettings, mercNo: string, payway: PaywayCode, mode: Mode): Promise<ChannelName> {
  if (mode === 'test') {
    if (!settings.sandboxEnabled) throw new ApiError('200002', 'test mode is not served by this deployment (the sandbox is off)', 'paywayCode');
    return 'sandbox';
  }
  const channel = (await findChannelRoute(db, mercNo, payway)) ?? settings.defaultLiveChannel;
  if (channel === undefined) throw new ApiError('200002', `no channel is configured for paywayCode ${payway}`, 'paywayCode');
  if (channel === 'sandbox') throw new ApiError('200002', 'live orders never reach the sandbox: use a test key, or route the payway to a real channel', 'paywayCode');
  return channel;
}
