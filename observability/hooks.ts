/**
 * What the activities report to metrics. Activities call these small hooks (an optional dependency in ActivityDeps);
 * only observability/ knows that prom-client is behind them, and unit tests can pass a recording fake.
 */
export interface ActivityMetrics {
  /** An order's pay status changed in the read model (`from` is `none` when the order was created). */
  orderTransition(t: { from: string; to: string; channel: string }): void;
  /** One notification delivery attempt ended: `success`, `failed` (the merchant did not acknowledge) or `error`. */
  notifyAttempt(a: { outcome: 'success' | 'failed' | 'error'; latencyMs: number | null }): void;
  /** One call to an upstream channel ended; `result` is the closed-union value (CREATED, SUCCESS, UNKNOWN, …). */
  channelCall(c: { channel: string; op: 'create' | 'query' | 'close'; result: string; durationMs: number }): void;
  /** An order moved from one channel to the next of its route (its create refused, or the circuit open). */
  channelFailover?(f: { from: string; to: string; result: string }): void;
  /** An order went to the human queue (`unknown_result`, `amount_mismatch`): what an alert watches. */
  escalation?(kind: string): void;
  /** A merchant notify endpoint was paused for failing continuously (endpoint health): what an alert watches. */
  endpointPaused?(): void;
}

/** What the worker's channel circuit breakers (channels/circuits.ts) report to metrics. */
export interface CircuitMetrics {
  /** A channel's circuit is in `state` (closed, open, half_open); `changed`: it has just moved there. */
  circuitState(channel: string, state: 'closed' | 'open' | 'half_open', changed: boolean): void;
  /** A call to a channel was not made because its circuit is open (`op`: create, query, close, poll). */
  circuitRefused(channel: string, op: string): void;
}
