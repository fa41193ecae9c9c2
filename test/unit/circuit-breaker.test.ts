import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitSettings, type CircuitState } from '../../domain/circuit-breaker';
import { loadConfig } from '../../config';

const SETTINGS: CircuitSettings = { failureThreshold: 3, failureWindowMs: 1_000, openMs: 5_000 };

function breaker(settings: CircuitSettings = SETTINGS) {
  const clock = { ms: 1_000_000 };
  const changes: [CircuitState, CircuitState][] = [];
  const b = new CircuitBreaker(settings, () => clock.ms, (s, previous) => changes.push([previous, s.state]));
  /** One permitted call with its outcome. */
  const call = (ok: boolean) => {
    const permit = b.acquire();
    if (!permit.allowed) throw new Error('call refused');
    b.record(ok, permit.probe);
  };
  return { b, clock, changes, call };
}

describe('circuit breaker state machine', () => {
  it('opens after the threshold of failures in a row and refuses calls until the open time has passed', () => {
    const { b, clock, changes, call } = breaker();
    call(false);
    call(false);
    expect(b.snapshot()).toMatchObject({ state: 'closed', failures: 2 });
    call(false);
    expect(b.snapshot()).toEqual({ state: 'open', failures: 3, sinceMs: clock.ms, retryAtMs: clock.ms + 5_000 });
    expect(changes).toEqual([['closed', 'open']]);
    expect(b.acquire()).toEqual({ allowed: false, retryAtMs: clock.ms + 5_000 });
    expect(b.wouldAllow()).toBe(false);
    clock.ms += 4_999;
    expect(b.acquire().allowed).toBe(false);
  });

  it('a success in between, or a failure after the window, starts the count again', () => {
    const { b, clock, call } = breaker();
    call(false);
    call(false);
    call(true);
    call(false);
    call(false);
    expect(b.snapshot()).toMatchObject({ state: 'closed', failures: 2 });
    clock.ms += 1_001;
    call(false);
    expect(b.snapshot()).toMatchObject({ state: 'closed', failures: 1 });
    clock.ms += 1_000;
    call(false);
    call(false);
    expect(b.snapshot().state).toBe('open');
  });

  it('half-open: one probe at a time; its success closes the circuit', () => {
    const { b, clock, changes, call } = breaker();
    for (let i = 0; i < 3; i++) call(false);
    clock.ms += 5_000;
    expect(b.wouldAllow()).toBe(true);
    const probe = b.acquire();
    expect(probe).toEqual({ allowed: true, probe: true });
    expect(b.snapshot().state).toBe('half_open');
    // While the probe is out, other calls wait (and the poller's peek says so).
    expect(b.acquire()).toEqual({ allowed: false, retryAtMs: clock.ms + 5_000 });
    expect(b.wouldAllow()).toBe(false);
    b.record(true, true);
    expect(b.snapshot()).toEqual({ state: 'closed', failures: 0, sinceMs: clock.ms });
    expect(changes).toEqual([['closed', 'open'], ['open', 'half_open'], ['half_open', 'closed']]);
    expect(b.acquire()).toEqual({ allowed: true, probe: false });
  });

  it("half-open: the probe's failure opens the circuit again for another open time", () => {
    const { b, clock, changes, call } = breaker();
    for (let i = 0; i < 3; i++) call(false);
    clock.ms += 6_000;
    call(false);
    expect(b.snapshot()).toMatchObject({ state: 'open', failures: 4, sinceMs: clock.ms, retryAtMs: clock.ms + 5_000 });
    expect(changes.at(-1)).toEqual(['half_open', 'open']);
    clock.ms += 4_000;
    expect(b.acquire().allowed).toBe(false);
    clock.ms += 1_000;
    call(true);
    expect(b.snapshot().state).toBe('closed');
  });

  it('a late answer of a call permitted before the circuit opened does not decide the half-open circuit', () => {
    const { b, clock } = breaker();
    const early = b.acquire();
    for (let i = 0; i < 3; i++) b.record(false, false);
    clock.ms += 5_000;
    const probe = b.acquire();
    expect(probe).toEqual({ allowed: true, probe: true });
    b.record(true, early.allowed && early.probe);
    expect(b.snapshot().state).toBe('half_open');
    b.record(false, true);
    expect(b.snapshot().state).toBe('open');
  });

  it('a probe that never reports back frees its slot after the open time', () => {
    const { b, clock, call } = breaker();
    for (let i = 0; i < 3; i++) call(false);
    clock.ms += 5_000;
    expect(b.acquire()).toEqual({ allowed: true, probe: true }); // its worker dies: no record
    clock.ms += 4_999;
    expect(b.acquire().allowed).toBe(false);
    clock.ms += 1;
    expect(b.acquire()).toEqual({ allowed: true, probe: true });
  });

  it('threshold 0 turns the breaker off', () => {
    const { b, call } = breaker({ ...SETTINGS, failureThreshold: 0 });
    for (let i = 0; i < 100; i++) call(false);
    expect(b.snapshot().state).toBe('closed');
    expect(b.acquire()).toEqual({ allowed: true, probe: false });
  });
});

describe('circuit breaker settings (config, validated at boot)', () => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
  it('defaults: 5 failures in a row within 60 s each, open for 30 s', () => {
    expect(loadConfig(base).circuit).toEqual({ failureThreshold: 5, failureWindowMs: 60_000, openMs: 30_000 });
    expect(loadConfig({ ...base, CIRCUIT_FAILURE_THRESHOLD: '0' }).circuit.failureThreshold).toBe(0);
  });
  it.each([
    ['CIRCUIT_FAILURE_THRESHOLD', '-1'], ['CIRCUIT_FAILURE_THRESHOLD', 'many'], ['CIRCUIT_FAILURE_THRESHOLD', '1001'],
    ['CIRCUIT_OPEN_FOR', '50ms'], ['CIRCUIT_OPEN_FOR', '2h'], ['CIRCUIT_FAILURE_WINDOW', 'soon'],
  ])('%s=%s stops the process naming the variable', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
  });
});
