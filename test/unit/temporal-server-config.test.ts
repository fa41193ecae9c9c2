import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError } from '../../config';
import { loadDevstackConfig, localPollerLayout } from '../../config/devstack';
import { SERVER_DYNAMIC_CONFIG } from '../../devstack/temporal-pg-server';
import { QUEUE_READ_RATE_KEYS, QUEUE_READS_PER_SECOND, startDevArgs } from '../../devstack/temporal-server';

describe('TEMPORAL_MODE, TEMPORAL_HISTORY_SHARDS and LOCAL_POLLER', () => {
  it('default to the dev server, 4 shards and a poller process of its own', () => {
    expect(loadDevstackConfig({})).toEqual({ temporalMode: 'dev', historyShards: 4, poller: 'process' });
    expect(loadDevstackConfig({ TEMPORAL_MODE: 'server', TEMPORAL_HISTORY_SHARDS: '16', LOCAL_POLLER: 'worker' }))
      .toEqual({ temporalMode: 'server', historyShards: 16, poller: 'worker' });
  });

  it('a poller process means a worker that does not poll; a poller in the worker means no poller process', () => {
    expect(localPollerLayout(loadDevstackConfig({}))).toEqual({ workerEnv: { WORKER_POLLS: 'false' }, pollerEntry: 'polling/main.ts', pollsIn: 'poller' });
    expect(localPollerLayout(loadDevstackConfig({ LOCAL_POLLER: 'worker' }))).toEqual({ workerEnv: { WORKER_POLLS: 'true' }, pollerEntry: null, pollsIn: 'worker' });
  });

  it.each([
    [{ TEMPORAL_MODE: 'cluster' }, 'TEMPORAL_MODE'],
    [{ TEMPORAL_HISTORY_SHARDS: '0' }, 'TEMPORAL_HISTORY_SHARDS'],
    [{ TEMPORAL_HISTORY_SHARDS: '17' }, 'TEMPORAL_HISTORY_SHARDS'],
    [{ TEMPORAL_HISTORY_SHARDS: '4.5' }, 'TEMPORAL_HISTORY_SHARDS'],
    [{ LOCAL_POLLER: 'thread' }, 'LOCAL_POLLER'],
  ])('refuses %o naming the variable', (env, variable) => {
    expect(() => loadDevstackConfig(env)).toThrow(ConfigError);
    expect(() => loadDevstackConfig(env)).toThrow(variable);
  });
});

describe('docker-compose.yml runs the same Temporal shape as TEMPORAL_MODE=server', () => {
  const compose = parse(readFileSync(join(__dirname, '../../docker-compose.yml'), 'utf8')) as {
    services: Record<string, { environment?: Record<string, string>; configs?: { source: string; target: string }[] }>;
    configs: Record<string, { content: string }>;
  };
  const temporal = compose.services.temporal!;

  it('with the default shard count and the local server dynamic config (timer precision included)', () => {
    expect(Number(temporal.environment?.NUM_HISTORY_SHARDS)).toBe(loadDevstackConfig({}).historyShards);
    const mounted = temporal.configs?.find((c) => c.target === temporal.environment?.DYNAMIC_CONFIG_FILE_PATH);
    expect(mounted).toBeDefined();
    const dynamic = parse(compose.configs[mounted!.source]!.content) as unknown;
    expect(dynamic).toEqual(SERVER_DYNAMIC_CONFIG);
    expect(SERVER_DYNAMIC_CONFIG['history.timerProcessorMaxTimeShift']?.[0]?.value).toBe('10ms');
  });
});

describe('task-queue reads per shard', () => {
  const dynamicValues = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '--dynamic-config-value' ? [a] : []));

  it('are raised above the server default (20/s) for the transfer, timer and visibility queues, in both modes', () => {
    expect(QUEUE_READ_RATE_KEYS).toEqual([
      'history.transferProcessorMaxPollRPS', 'history.timerProcessorMaxPollRPS', 'history.visibilityProcessorMaxPollRPS',
    ]);
    expect(QUEUE_READS_PER_SECOND).toBeGreaterThan(20);
    const devValues = dynamicValues(startDevArgs(7233, {}));
    for (const key of QUEUE_READ_RATE_KEYS) {
      expect(devValues).toContain(`${key}=${QUEUE_READS_PER_SECOND}`);
      expect(SERVER_DYNAMIC_CONFIG[key]?.[0]?.value).toBe(QUEUE_READS_PER_SECOND);
    }
  });
});
