import type { Pool } from '../db/pool';
import { createSandboxChannel } from './sandbox';
import type { ChannelName, ChannelRegistry } from './types';
import type { PaywayCode } from '../domain/order';

/** Builds every registered channel over its dependencies. */
export function createChannels(deps: { pool: Pool; publicBaseUrl: string }): ChannelRegistry {
  return { sandbox: createSandboxChannel(deps) };
}

/** Which channel serves a payway for a merchant. Only the sandbox exists so far. */
export function routeChannel(_mercNo: string, _payway: PaywayCode): ChannelName {
  return 'sandbox';
}
