import { z } from 'zod';
import { ConfigError } from './index';

/**
 * How the local stack (`npm start`, the bench, the chaos run, the tests) runs Temporal, read from the environment and
 * validated before anything starts:
 *   TEMPORAL_MODE=dev     the CLI's dev server (`temporal server start-dev`: SQLite file, one history shard, Web UI)
 *   TEMPORAL_MODE=server  the Temporal server itself (built from the Go module proxy) on the embedded PostgreSQL,
 *                         with its own `temporal` and `temporal_visibility` databases and TEMPORAL_HISTORY_SHARDS shards
 * and where open orders' channels are polled:
 *   LOCAL_POLLER=process  a poller process of its own (polling/main.ts) at a lower CPU priority, the worker with
 *                         WORKER_POLLS=false
 *   LOCAL_POLLER=worker   inside the worker, as a single-process deployment does
 */
export const DevstackEnvSchema = z.object({
  TEMPORAL_MODE: z.enum(['dev', 'server']).default('dev'),
  /** History shards of a server-mode cluster; fixed when its databases are first set up (a change needs new data). */
  TEMPORAL_HISTORY_SHARDS: z.coerce.number().int().min(1).max(16).default(4),
  LOCAL_POLLER: z.enum(['process', 'worker']).default('process'),
});

export type TemporalMode = z.infer<typeof DevstackEnvSchema>['TEMPORAL_MODE'];

export interface DevstackConfig {
  temporalMode: TemporalMode;
  historyShards: number;
  poller: 'process' | 'worker';
}

export function loadDevstackConfig(env: Record<string, string | undefined> = process.env): DevstackConfig {
  const parsed = DevstackEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return { temporalMode: parsed.data.TEMPORAL_MODE, historyShards: parsed.data.TEMPORAL_HISTORY_SHARDS, poller: parsed.data.LOCAL_POLLER };
}

/**
 * Where the local stack polls (LOCAL_POLLER): the env for its worker, the poller process's entry point when it runs
 * one, and which process polls (`pollsIn`).
 */
export function localPollerLayout(devstack: DevstackConfig): {
  workerEnv: Record<string, string>; pollerEntry: string | null; pollsIn: 'poller' | 'worker';
} {
  return devstack.poller === 'process'
    ? { workerEnv: { WORKER_POLLS: 'false' }, pollerEntry: 'polling/main.ts', pollsIn: 'poller' }
    : { workerEnv: { WORKER_POLLS: 'true' }, pollerEntry: null, pollsIn: 'worker' };
}
