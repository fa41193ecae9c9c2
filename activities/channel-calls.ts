import type { ActivityDeps } from './deps';
import type { ChannelCreateResult, ChannelName, ChannelOrderRef, ChannelOrderRequest, ChannelStatus } from '../channels/types';

/**
 * Calls to the upstream channel. A network error or timeout becomes UNKNOWN (never a failure), so the workflow
 * decides what to do from the closed union instead of from exceptions.
 */
export function createChannelActivities({ channels, log }: ActivityDeps) {
  const unknown = (op: string, channel: string, err: unknown) => {
    log.warn({ op, channel, err: (err as Error).message }, 'channel call failed; result unknown');
    return (err as Error).message || 'channel call failed';
  };
  return {
    async channelCreate(a: { channel: ChannelName; order: ChannelOrderRequest }): Promise<ChannelCreateResult> {
      try {
        return await channels[a.channel].create(a.order);
      } catch (err) {
        return { kind: 'UNKNOWN', reason: unknown('create', a.channel, err) };
      }
    },
    async channelQuery(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      try {
        return await channels[a.channel].query(a.ref);
      } catch (err) {
        return { status: 'UNKNOWN', reason: unknown('query', a.channel, err) };
      }
    },
    async channelClose(a: { channel: ChannelName; ref: ChannelOrderRef }): Promise<ChannelStatus> {
      try {
        return await channels[a.channel].close(a.ref);
      } catch (err) {
        return { status: 'UNKNOWN', reason: unknown('close', a.channel, err) };
      }
    },
  };
}
