import { inTransaction, type Pool, type Queryable } from './pool';
import { isChannelName, type ChannelName } from '../domain/channels';
import type { PaywayCode } from '../domain/order';

/** A route's payway: one paywayCode, or '*' for every payway of the merchant. */
export type RoutePayway = PaywayCode | '*';

/** The most channels one payway may list (migration 020's position check). */
export const MAX_ROUTE_CHANNELS = 10;

/**
 * The channels configured for a merchant's payway (table channel_routes), in the order they are tried: the payway's
 * own rows if it has any, else the merchant's '*' rows; empty when the merchant has neither.
 */
export async function findChannelRoutes(db: Queryable, mercNo: string, payway: PaywayCode): Promise<ChannelName[]> {
  const { rows } = await db.query<{ channel: string }>(
    `SELECT channel FROM channel_routes
     WHERE merc_no = $1 AND payway_code = (
       SELECT payway_code FROM channel_routes WHERE merc_no = $1 AND payway_code IN ($2, '*')
       ORDER BY (payway_code = '*') LIMIT 1)
     ORDER BY position`,
    [mercNo, payway],
  );
  return rows.map(({ channel }) => {
    if (!isChannelName(channel)) throw new Error(`channel_routes names channel "${channel}", which this build does not have`);
    return channel;
  });
}

/** Sets (or replaces) the channel of a merchant's payway, or of all its payways with '*': a list of one. */
export async function setChannelRoute(db: Pool, mercNo: string, payway: RoutePayway, channel: ChannelName): Promise<void> {
  await setChannelRoutes(db, mercNo, payway, [channel]);
}

/** Replaces the channels of a merchant's payway (or '*') with `channels`, tried in this order. */
export async function setChannelRoutes(db: Pool, mercNo: string, payway: RoutePayway, channels: readonly ChannelName[]): Promise<void> {
  await inTransaction(db, (tx) => replaceChannelRoutes(tx, mercNo, payway, channels));
}

/** setChannelRoutes inside the caller's transaction (`tx` must be one: the delete and the insert go together). */
export async function replaceChannelRoutes(tx: Queryable, mercNo: string, payway: RoutePayway, channels: readonly ChannelName[]): Promise<void> {
  if (channels.length === 0 || channels.length > MAX_ROUTE_CHANNELS) throw new Error(`a route lists 1 to ${MAX_ROUTE_CHANNELS} channels`);
  if (new Set(channels).size !== channels.length) throw new Error('a route lists a channel once');
  await tx.query('DELETE FROM channel_routes WHERE merc_no = $1 AND payway_code = $2', [mercNo, payway]);
  await tx.query(
    `INSERT INTO channel_routes (merc_no, payway_code, channel, position)
     SELECT $1, $2, channel, (position - 1)::smallint FROM unnest($3::text[]) WITH ORDINALITY AS t(channel, position)`,
    [mercNo, payway, channels],
  );
}

/** Every route of a merchant: payway ('*' included) → its channels in order. */
export async function listChannelRoutes(db: Queryable, mercNo: string): Promise<Record<string, ChannelName[]>> {
  const { rows } = await db.query<{ payway_code: string; channel: ChannelName }>(
    'SELECT payway_code, channel FROM channel_routes WHERE merc_no = $1 ORDER BY payway_code, position', [mercNo]);
  const routes: Record<string, ChannelName[]> = {};
  for (const r of rows) (routes[r.payway_code] ??= []).push(r.channel);
  return routes;
}

export async function deleteChannelRoute(db: Queryable, mercNo: string, payway: RoutePayway): Promise<void> {
  await db.query('DELETE FROM channel_routes WHERE merc_no = $1 AND payway_code = $2', [mercNo, payway]);
}
