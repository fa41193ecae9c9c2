import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CircuitBreaker, type CircuitPermit, type CircuitSettings, type CircuitSnapshot, type CircuitState } from '../domain/circuit-breaker';
import { isLiveChannelName, LIVE_CHANNEL_NAMES, type ChannelName, type LiveChannelName } from '../domain/channels';
import { forgetCircuits, reportCircuits } from '../db/channel-circuits';
import type { Pool } from '../db/pool';
import type { Logger } from '../config/logger';
import type { CircuitMetrics } from '../observability/hooks';
import type { CircuitView } from '../observability/health';
import { listCircuits } from '../db/channel-circuits';

/** How often a worker re-reports its circuits (the API's /readyz leaves out rows older than three of these). */
export const CIRCUIT_HEARTBEAT_MS = 10_000;

/**
 * The circuit breakers of one worker process, one per channel, shared by every activity and the poller of that
 * process (so by every order it serves). Where the state lives: in the worker's memory. Each worker decides alone from
 * the answers it gets — no store to ask before each channel call, nothing more to fail when the database is slow — and
 * a failing channel opens in every worker that calls it within its first few failures. Each worker reports its circuits
 * to PostgreSQL (channel_circuits) when one changes state and every CIRCUIT_HEARTBEAT_MS, for the API's /readyz detail
 * and for operators; nothing reads that table to decide. Workflows never read a breaker: activities consult it, and
 * what they return (a create UNAVAILABLE, a query UNKNOWN) is recorded in the workflow's history like any answer.
 * Only channels that move real money have a breaker: the sandbox is our own books in PostgreSQL, whose failures are
 * the database's (retried and escalated as such), not an upstream's.
 */
export class ChannelCircuits {
  /** This worker's name in reports: pid@host, and a random tag (several workers may share a process, as in tests). */
  readonly worker = `${process.pid}@${hostname()}#${randomBytes(3).toString('hex')}`;
  private readonly breakers: Record<LiveChannelName, CircuitBreaker>;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Reports go one after the other, so an older view never overwrites a newer one. */
  private reporting: Promise<void> = Promise.resolve();

  constructor(
    settings: CircuitSettings,
    private readonly deps: { pool?: Pool; log?: Logger; metrics?: CircuitMetrics; now?: () => number } = {},
  ) {
    const now = deps.now ?? Date.now;
    this.breakers = Object.fromEntries(LIVE_CHANNEL_NAMES.map((name) => [name, new CircuitBreaker(settings, now, (s, previous) => this.changed(name, s, previous))])) as Record<LiveChannelName, CircuitBreaker>;
    for (const name of LIVE_CHANNEL_NAMES) deps.metrics?.circuitState(name, 'closed', false);
  }

  /** A permit to call `channel` now (see CircuitBreaker.acquire); a refusal is counted under `op`. */
  acquire(channel: ChannelName, op: string): CircuitPermit {
    if (!isLiveChannelName(channel)) return { allowed: true, probe: false };
    const permit = this.breakers[channel].acquire();
    if (!permit.allowed) this.deps.metrics?.circuitRefused(channel, op);
    return permit;
  }

  /** Whether `channel` would be called now, without taking its probe slot. */
  wouldAllow(channel: ChannelName): boolean {
    return !isLiveChannelName(channel) || this.breakers[channel].wouldAllow();
  }

  record(channel: ChannelName, ok: boolean, probe: boolean): void {
    if (isLiveChannelName(channel)) this.breakers[channel].record(ok, probe);
  }

  snapshot(): Record<LiveChannelName, CircuitSnapshot> {
    return Object.fromEntries(LIVE_CHANNEL_NAMES.map((name) => [name, this.breakers[name].snapshot()])) as Record<LiveChannelName, CircuitSnapshot>;
  }

  /** This worker's circuits, for its /readyz detail. */
  views(): CircuitView[] {
    return Object.entries(this.snapshot()).map(([channel, s]) => circuitView({ channel, worker: this.worker, ...s }));
  }

  /** Reports the circuits now and every CIRCUIT_HEARTBEAT_MS (needs `pool`). */
  start(heartbeatMs = CIRCUIT_HEARTBEAT_MS): void {
    void this.report();
    this.heartbeat = setInterval(() => void this.report(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Stops reporting and removes this worker's rows (its view ends with it). */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.reporting;
    if (this.deps.pool) await forgetCircuits(this.deps.pool, this.worker).catch(() => undefined);
  }

  private changed(channel: LiveChannelName, s: CircuitSnapshot, previous: CircuitState): void {
    this.deps.metrics?.circuitState(channel, s.state, true);
    const line = { channel, from: previous, to: s.state, failures: s.failures };
    if (s.state === 'open') this.deps.log?.warn(line, 'channel circuit opened: its creates and polls pause');
    else this.deps.log?.info(line, `channel circuit ${s.state === 'closed' ? 'closed' : 'half-open: one probe goes through'}`);
    void this.report();
  }

  private report(): Promise<void> {
    const pool = this.deps.pool;
    if (!pool) return this.reporting;
    this.reporting = this.reporting.then(() => reportCircuits(pool, this.worker, this.snapshot()))
      .catch((err: unknown) => this.deps.log?.warn({ err: (err as Error).message }, 'channel circuits not reported'));
    return this.reporting;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

function circuitView(c: CircuitSnapshot & { channel: string; worker: string }): CircuitView {
  return {
    channel: c.channel, state: c.state, failures: c.failures, since: iso(c.sinceMs),
    ...(c.retryAtMs !== undefined ? { retryAt: iso(c.retryAtMs) } : {}), worker: c.worker,
  };
}

/** The circuits every live worker last reported (the API's /readyz detail); rows older than three heartbeats are left out. */
export async function reportedCircuits(pool: Pool): Promise<CircuitView[]> {
  const rows = await listCircuits(pool, 3 * CIRCUIT_HEARTBEAT_MS);
  return rows.map(({ retryAtMs, ...r }) => circuitView({ ...r, ...(retryAtMs !== null ? { retryAtMs } : {}) }));
}
