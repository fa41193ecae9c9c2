import type { Pool, Queryable } from '../db/pool';
import { findChannelRoute } from '../db/channel-routes';
import { findOrderById } from '../db/orders';
import { SCENE_CODES, type PaywayCode, type SceneCode } from '../domain/order';
import { createIpaynowChannel, type IpaynowOrderContext } from './ipaynow';
import { accountResolver, type IpaynowSettings } from './ipaynow/accounts';
import { createSandboxChannel } from './sandbox';
import type { ChannelName, ChannelRegistry } from './types';

/** Builds every registered channel over its dependencies. */
export function createChannels(deps: { pool: Pool; publicBaseUrl: string; ipaynow: IpaynowSettings }): ChannelRegistry {
  const { pool, publicBaseUrl, ipaynow } = deps;
  return {
    sandbox: createSandboxChannel({ pool, publicBaseUrl }),
    ipaynow: createIpaynowChannel({
      accountFor: accountResolver(pool, ipaynow),
      orderContext: (orderId) => orderContextOf(pool, orderId),
      publicBaseUrl,
      timeoutMs: ipaynow.timeoutMs,
    }),
  };
}

async function orderContextOf(db: Queryable, orderId: string): Promise<IpaynowOrderContext | null> {
  const order = await findOrderById(db, orderId);
  if (!order || !(SCENE_CODES as readonly string[]).includes(order.sceneCode)) return null;
  return { mercNo: order.mercNo, sceneCode: order.sceneCode as SceneCode, amountFen: order.amountFen };
}

/**
 * Which channel serves a payway for a merchant: configuration in channel_routes (the payway's row, else the
 * merchant's '*' row), else the platform default (config DEFAULT_CHANNEL).
 */
export async function routeChannel(db: Queryable, defaultChannel: ChannelName, mercNo: string, payway: PaywayCode): Promise<ChannelName> {
  return (await findChannelRoute(db, mercNo, payway)) ?? defaultChannel;
}
