import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { createLogger } from '../../config/logger';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
const alice = 'alice-token-0123456789abcdef';
const bob = 'bob:token/with=visible~ascii!';

const problem = (value: string) => {
  try {
    loadConfig({ ...base, SUPPORT_OPERATORS: value });
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('SUPPORT_OPERATORS (named support credentials)', () => {
  it('is name:token pairs, comma-separated; unset or empty means the support API is off', () => {
    expect(loadConfig(base).support.operators).toEqual([]);
    expect(loadConfig({ ...base, SUPPORT_OPERATORS: ' ' }).support.operators).toEqual([]);
    expect(loadConfig({ ...base, SUPPORT_OPERATORS: ` ops.alice:${alice} , bob_2:${bob},` }).support.operators).toEqual([
      { name: 'ops.alice', token: alice },
      { name: 'bob_2', token: bob }, // the token may contain ':' (only the first one separates)
    ]);
  });

  it.each([
    ['no separator', 'alice', /entry #1 must be <name>:<token>/],
    ['an upper-case name', `Alice:${alice}`, /entry #1: the operator name must be 1 to 64 of a-z 0-9 \. _ -/],
    ['an empty name', `:${alice}`, /entry #1: the operator name/],
    ['a name over 64', `${'a'.repeat(65)}:${alice}`, /entry #1: the operator name/],
    ['a short token', 'alice:short', /operator alice: the token must be 16 to 256 visible ASCII/],
    ['a token with a space', `alice:${'a'.repeat(10)} ${'b'.repeat(10)}`, /operator alice: the token must be/],
    ['a token over 256', `alice:${'a'.repeat(257)}`, /operator alice: the token must be/],
    ['a name twice', `alice:${alice},alice:${'c'.repeat(20)}`, /operator alice is listed twice/],
    ['a token twice', `alice:${alice},bob:${alice}`, /operators alice and bob have the same token/],
  ])('refuses %s at boot, naming the variable', (_what, value, message) => {
    const text = problem(value);
    expect(text).toMatch(/SUPPORT_OPERATORS: /);
    expect(text).toMatch(message);
  });

  it('never echoes a token in a validation error', () => {
    for (const value of [`alice:${alice},alice:${bob}`, `alice:${alice},bob:${alice}`, `Bad:${alice}`, `bob:${'x'.repeat(300)}`]) {
      const text = problem(value) ?? '';
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(alice);
      expect(text).not.toContain('x'.repeat(20));
    }
  });

  it('a logged configuration shows operator names at most, never their tokens', () => {
    const lines: string[] = [];
    const log = createLogger('info', 'test', new Writable({ write(c: Buffer, _e, done) { lines.push(c.toString('utf8')); done(); } }));
    const config = loadConfig({ ...base, SUPPORT_OPERATORS: `alice:${alice}` });
    log.info({ support: config.support, operator: { name: 'alice', token: alice } }, 'config');
    expect(lines.join('')).not.toContain(alice);
  });
});
