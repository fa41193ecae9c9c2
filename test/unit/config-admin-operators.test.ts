import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { roleMatcher } from '../../config/admin-operators';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
const carol = 'carol-admin-token-0123456789abcdef';
const dave = 'dave-admin-token-0123456789abcdef';
const sha = (t: string) => createHash('sha256').update(t).digest('hex');

const problem = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
};

describe('ADMIN_OPERATORS (named admin credentials)', () => {
  it('is name:token or name:sha256:<hex>, comma-separated; unset or empty means the admin API is off', () => {
    expect(loadConfig(base).admin.operators).toEqual([]);
    expect(loadConfig({ ...base, ADMIN_OPERATORS: ' ' }).admin.operators).toEqual([]);
    const ops = loadConfig({ ...base, ADMIN_OPERATORS: `carol:${carol}, dave:sha256:${sha(dave).toUpperCase()}` }).admin.operators;
    expect(ops.map((o) => [o.name, o.tokenSha256.toString('hex')])).toEqual([['carol', sha(carol)], ['dave', sha(dave)]]);
  });

  it.each([
    ['no separator', 'carol', /entry #1 must be <name>:<token> or <name>:sha256:<64 hex digits>/],
    ['a bad name', `Carol:${carol}`, /entry #1: the operator name must be/],
    ['a short token', 'carol:short', /operator carol: the token must be 16 to 256/],
    ['a short digest', `carol:sha256:${'ab'.repeat(10)}`, /operator carol: sha256: must be followed by 64 hex digits/],
    ['a name twice', `carol:${carol},carol:${dave}`, /operator carol is listed twice/],
    ['the same token twice, once hashed', `carol:${carol},dave:sha256:${sha(carol)}`, /operators carol and dave have the same token/],
  ])('refuses %s at boot, naming the variable and never the token', (_what, value, message) => {
    const text = problem({ ADMIN_OPERATORS: value }) ?? '';
    expect(text).toMatch(/ADMIN_OPERATORS: /);
    expect(text).toMatch(message);
    expect(text).not.toContain(carol);
    expect(text).not.toContain(dave);
  });

  it('refuses an admin token that is also a support operator\'s (each role its own token)', () => {
    const text = problem({ SUPPORT_OPERATORS: `alice:${carol}`, ADMIN_OPERATORS: `carol:sha256:${sha(carol)}` }) ?? '';
    expect(text).toContain('ADMIN_OPERATORS: admin operator carol has the token of support operator alice');
    expect(text).not.toContain(carol);
  });

  it('matches a token to its operator and role: admin first, then support; anything else is nobody', () => {
    const config = loadConfig({ ...base, SUPPORT_OPERATORS: `alice:${dave}`, ADMIN_OPERATORS: `carol:sha256:${sha(carol)}` });
    const match = roleMatcher(config.support.operators, config.admin.operators);
    expect(match(carol)).toEqual({ name: 'carol', role: 'admin' });
    expect(match(dave)).toEqual({ name: 'alice', role: 'support' });
    expect(match(sha(carol))).toBeUndefined(); // the digest itself is not the token
    expect(match(`${carol}x`)).toBeUndefined();
    expect(match('')).toBeUndefined();
  });
});
