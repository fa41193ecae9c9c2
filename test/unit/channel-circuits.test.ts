import { describe, expect, it } from 'vitest';
import { ChannelCircuits } from '../../channels/circuits';
import { createChannelActivities } from '../../activities/channel-calls';
import { createLogger } from '../../config/logger';
import type { ActivityDeps } from '../../activities/deps';
import { LIVE_CHANNEL_NAMES, type Channel, type ChannelRegistry } from '../../domain/channels';

/** The channel activities over a fake channel whose calls throw (a timeout) until `healthy`, and a breaker of 2. */
function setup() {
  const clock = { ms: 1_000_000 };
  const calls: string[] = [];
  const recorded: { channel: string; op: string; status: string }[] = [];
  const refused: string[] = [];
  const upstream = { healthy: false };
  const fake = {
    async create() {
      calls.push('create');
      if (!upstream.healthy) throw new Error('timeout');
      return { kind: 'CREATED', channelOrderNo: 'C1', credential: { codeUrl: 'https://pay.example/C1' } };
    },
    async query() {
      calls.push('query');
      if (!upstream.healthy) throw new Error('timeout');
      return { status: 'PENDING' };
    },
    async close() {
      calls.push('close');
      return { status: 'FAIL', reason: 'closed' };
    },
  } as unknown as Channel;
  const circuits = new ChannelCircuits({ failureThreshold: 2, failureWindowMs: 10_000, openMs: 5_000 }, {
    now: () => clock.ms,
    metrics: { circuitState: () => undefined, circuitRefused: (channel, op) => refused.push(`${channel}:${op}`) },
  });
  const pool = {
    query: async (_sql: string, params: unknown[]) => {
      recorded.push({ channel: params[1] as string, op: params[2] as string, status: params[3] as string });
      return { rows: [] };
    },
  } as unknown as ActivityDeps['pool'];
  const acts = createChannelActivities({
    pool, channels: { sandbox: fake, ipaynow: fake, alipay: fake } as ChannelRegistry, log: createLogger('silent', 'test'),
    notifyTimeoutMs: 1000, pollScheduleMs: [1000], circuits,
  });
  const order = { orderId: 'O1', mercNo: 'M1', amountFen: 1, subject: 's', paywayCode: 'alipay', sceneCode: 'scan', termType: 'wap', expireAtMs: 0, ip: '127.0.0.1' } as const;
  return { clock, calls, recorded, refused, upstream, circuits, acts, order };
}

describe('channel activities consult the circuit breaker', () => {
  it('an open circuit answers without calling: create UNAVAILABLE, query UNKNOWN; recorded and counted; a probe closes it', async () => {
    const { clock, calls, recorded, refused, upstream, circuits, acts, order } = setup();
    expect(await acts.channelCreate({ channel: 'alipay', order })).toMatchObject({ kind: 'UNKNOWN' });
    expect(await acts.channelQuery({ channel: 'alipay', ref: { orderId: 'O1' } })).toMatchObject({ status: 'UNKNOWN' });
    expect(circuits.snapshot().alipay.state).toBe('open');
    expect(circuits.wouldAllow('alipay')).toBe(false);

    expect(await acts.channelCreate({ channel: 'alipay', order })).toEqual({ kind: 'UNAVAILABLE', reason: expect.stringMatching(/^alipay circuit open until .+: not asked$/) });
    expect(await acts.channelQuery({ channel: 'alipay', ref: { orderId: 'O1' } })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('circuit open') });
    expect(calls).toEqual(['create', 'query']);
    expect(recorded.map((r) => r.status)).toEqual(['UNKNOWN', 'UNKNOWN', 'UNAVAILABLE', 'UNKNOWN']);
    expect(refused).toEqual(['alipay:create', 'alipay:query']);
    // Other channels are not affected.
    upstream.healthy = true;
    expect(await acts.channelCreate({ channel: 'ipaynow', order })).toMatchObject({ kind: 'CREATED' });

    clock.ms += 5_000;
    expect(await acts.channelQuery({ channel: 'alipay', ref: { orderId: 'O1' } })).toEqual({ status: 'PENDING' });
    expect(circuits.snapshot().alipay.state).toBe('closed');
    expect(await acts.channelCreate({ channel: 'alipay', order })).toMatchObject({ kind: 'CREATED' });
  });

  it('the sandbox has no breaker: its failures are the database\'s', async () => {
    const { calls, circuits, acts, order } = setup();
    for (let i = 0; i < 5; i++) expect(await acts.channelCreate({ channel: 'sandbox', order })).toMatchObject({ kind: 'UNKNOWN' });
    expect(calls).toHaveLength(5);
    expect(circuits.wouldAllow('sandbox')).toBe(true);
    expect(Object.keys(circuits.snapshot())).toEqual([...LIVE_CHANNEL_NAMES]);
  });
});
