import type { Queryable } from './pool';
import { isChannelName, type ChannelName } from '../domain/channels';
import type { PaywayCode } from '../domain/order';

/** A route's payway: one paywayCode, or '*' for every payway of the merchant. */
export type RoutePayway = PaywayCode | '*';

/**
 * The channel configured for a merchant's payway (table channel_routes): the payway's own row first, then the
 * merchant's '*' row; null when the merchant has neither.
 */
export async function findChannelRoute(db: Queryable, mercNo: string, payway: PaywayCode): Promise<ChannelName | null> {
  const { rows } = await db.query<{ channel: string }>(
    `SELECT channel FROM channel_routes WHERE merc_no = $1 AND payway_code IN ($2, '*')
     ORDER BY (payway_code = '*') LIMIT 1`,
    [mercNo, payway],
  );
  const channel = rows[0]?.channel;
  if (channel === undefined) return null;
  if (!isChannelName(channel)) throw new Error(`channel_routes names channel "${channel}", which this build does not have`);
  return channel;
}

/** Sets (or replaces) the channel of a merchant's payway, or of all its payways with '*'. */
export async function setChannelRoute(db: Queryable, mercNo: string, payway: RoutePayway, channel: ChannelName): Promise<void> {
  await db.query(
    `INSERT INTO channel_routes (merc_no, payway_code, channel) VALUES ($1, $2, $3)
     ON CONFLICT (merc_no, payway_code) DO UPDATE SET channel = EXCLUDED.channel, updated_at = now()`,
    [mercNo, payway, channel],
  );
}

export async function deleteChannelRoute(db: Queryable, mercNo: string, payway: RoutePayway): Promise<void> {
  await db.query('DELETE FROM channel_routes WHERE merc_no = $1 AND payway_code = $2', [mercNo, payway]);
}
