import { deleteChannelRoute, listChannelRoutes, replaceChannelRoutes, type RoutePayway } from '../db/channel-routes';
import type { LiveChannelName } from '../domain/channels';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

/**
 * Sets the live channels of a merchant's payway (or '*', every payway without rows of its own), tried in this order
 * (failover); an empty list removes the payway's routes (then '*' or DEFAULT_CHANNEL serve it). Orders placed from
 * now on. Audited as routes.set with the list before and after.
 */
export function setRoutes(env: MerchantAdminEnv, mercNo: string, payway: RoutePayway, channels: LiveChannelName[], actor: string) {
  return changeMerchant(env, mercNo, actor, 'routes.set', async (tx) => {
    const before = (await listChannelRoutes(tx, mercNo))[payway] ?? [];
    if (channels.length === 0) await deleteChannelRoute(tx, mercNo, payway);
    else await replaceChannelRoutes(tx, mercNo, payway, channels);
    return { detail: { paywayCode: payway, from: before, to: channels }, result: { mercNo, routes: await listChannelRoutes(tx, mercNo) } };
  });
}
