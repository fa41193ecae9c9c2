import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createChannelActivities } from '../../activities/channel-calls';
import { createLogger } from '../../config/logger';
import { ChannelRetryableError, type Channel, type ChannelRegistry } from '../../domain/channels';
import type { Pool } from '../../db/pool';
import type { ActivityDeps } from '../../activities/deps';

// A channel call that failed is UNKNOWN (the upstream may have acted), except a call that did not get through for a
// reason of our own and is safe to repeat (ChannelRetryableError): that one fails the activity so it is retried.
function activitiesWith(create: Channel['create']) {
  const recorded: unknown[][] = [];
  const pool = { query: async (_sql: string, params: unknown[]) => (recorded.push(params), { rows: [], rowCount: 1 }) } as unknown as Pool;
  const channel = { name: 'sandbox', create } as unknown as Channel;
  const deps = {
    pool, channels: { sandbox: channel } as unknown as ChannelRegistry,
    log: createLogger('silent', 'test', new Writable({ write(_c, _e, done) { done(); } })),
  } as unknown as ActivityDeps;
  return { acts: createChannelActivities(deps), recorded };
}

const order = { orderId: 'O1', mercNo: 'M1', amountFen: 100, subject: 's', paywayCode: 'alipay', sceneCode: 'scan', termType: 'wap', expireAtMs: 0, ip: '127.0.0.1' } as const;

describe('channel call activities', () => {
  it('turn a failed create into UNKNOWN and record it', async () => {
    const { acts, recorded } = activitiesWith(async () => { throw new Error('socket hang up'); });
    await expect(acts.channelCreate({ channel: 'sandbox', order })).resolves.toEqual({ kind: 'UNKNOWN', reason: 'socket hang up' });
    expect(recorded).toHaveLength(1);
  });

  it('let a retryable failure fail the activity, so Temporal repeats the same call', async () => {
    const { acts, recorded } = activitiesWith(async () => { throw new ChannelRetryableError('sandbox books unreachable: ECONNREFUSED'); });
    await expect(acts.channelCreate({ channel: 'sandbox', order })).rejects.toBeInstanceOf(ChannelRetryableError);
    expect(recorded).toHaveLength(0);
  });
});
