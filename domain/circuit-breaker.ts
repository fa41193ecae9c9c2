/**
 * A circuit breaker for one channel: pure state, an injected clock, no I/O (the worker holds one per channel and
 * publishes its changes; see channels/circuits.ts).
 *
 *   closed    — calls go through. `failureThreshold` failures in a row, each within `failureWindowMs` of the one
 *               before (a success in between starts the count again), open it.
 *   open      — calls are refused without reaching the channel, for `openMs`.
 *   half_open — after `openMs`, one call at a time goes through as a probe: its success closes the circuit, its
 *               failure opens it again for another `openMs`. A probe that never reports back (a call lost) frees
 *               its slot after `openMs`.
 *
 * A failure is an answer that says nothing about the order (UNKNOWN: a timeout, a network error, a system error, an
 * answer that does not verify); any clear answer, a refusal included, is a success: the channel is up.
 */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitSettings {
  /** Failures in a row that open the circuit; 0 = the breaker is off (always closed). */
  failureThreshold: number;
  /** A failure more than this after the previous one starts the count again. */
  failureWindowMs: number;
  /** How long an open circuit refuses calls before it lets a probe through. */
  openMs: number;
}

export interface CircuitSnapshot {
  state: CircuitState;
  /** Failures counted towards the threshold (closed), or since the circuit last opened. */
  failures: number;
  /** When the state last changed (ms since the epoch). */
  sinceMs: number;
  /** Open: when a probe may go through. */
  retryAtMs?: number;
}

/** A permit to call the channel (`probe`: the half-open circuit's one trial call), or a refusal until `retryAtMs`. */
export type CircuitPermit = { allowed: true; probe: boolean } | { allowed: false; retryAtMs: number };

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private failures = 0;
  private lastFailureMs = 0;
  private sinceMs: number;
  private probeSinceMs: number | null = null;

  constructor(
    private readonly settings: CircuitSettings,
    private readonly now: () => number,
    private readonly onChange: (s: CircuitSnapshot, previous: CircuitState) => void = () => undefined,
  ) {
    this.sinceMs = now();
  }

  /** Asks to call the channel now. A permit must be answered with `record` (a probe's outcome decides the state). */
  acquire(): CircuitPermit {
    if (this.settings.failureThreshold === 0) return { allowed: true, probe: false };
    const now = this.now();
    if (this.state === 'open') {
      const retryAtMs = this.sinceMs + this.settings.openMs;
      if (now < retryAtMs) return { allowed: false, retryAtMs };
      this.move('half_open', now);
    }
    if (this.state === 'half_open') {
      if (this.probeSinceMs !== null && now - this.probeSinceMs < this.settings.openMs) {
        return { allowed: false, retryAtMs: this.probeSinceMs + this.settings.openMs };
      }
      this.probeSinceMs = now;
      return { allowed: true, probe: true };
    }
    return { allowed: true, probe: false };
  }

  /** Whether a call would be let through now, without taking the probe slot (the poller skips orders otherwise). */
  wouldAllow(): boolean {
    if (this.settings.failureThreshold === 0 || this.state === 'closed') return true;
    const now = this.now();
    if (this.state === 'open') return now >= this.sinceMs + this.settings.openMs;
    return this.probeSinceMs === null || now - this.probeSinceMs >= this.settings.openMs;
  }

  /** The outcome of a permitted call: `ok` = the channel gave a clear answer. */
  record(ok: boolean, probe: boolean): void {
    if (this.settings.failureThreshold === 0) return;
    const now = this.now();
    if (this.state === 'half_open') {
      // Only the probe decides; a call permitted before the circuit opened and answering late changes nothing.
      if (!probe) return;
      this.probeSinceMs = null;
      if (ok) {
        this.failures = 0;
        this.move('closed', now);
      } else {
        this.failures++;
        this.move('open', now);
      }
      return;
    }
    if (this.state === 'open') {
      if (!ok) this.failures++;
      return;
    }
    if (ok) {
      this.failures = 0;
      return;
    }
    this.failures = this.failures > 0 && now - this.lastFailureMs <= this.settings.failureWindowMs ? this.failures + 1 : 1;
    this.lastFailureMs = now;
    if (this.failures >= this.settings.failureThreshold) this.move('open', now);
  }

  snapshot(): CircuitSnapshot {
    return {
      state: this.state, failures: this.failures, sinceMs: this.sinceMs,
      ...(this.state === 'open' ? { retryAtMs: this.sinceMs + this.settings.openMs } : {}),
    };
  }

  private move(to: CircuitState, now: number): void {
    const previous = this.state;
    this.state = to;
    this.sinceMs = now;
    if (to !== 'half_open') this.probeSinceMs = null;
    this.onChange(this.snapshot(), previous);
  }
}
