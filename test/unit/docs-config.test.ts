import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from '../../config/index';
import { EnvSchema as alipayEnv } from '../../channels/alipay/settings';
import { EnvSchema as ipaynowEnv } from '../../channels/ipaynow/settings';
import { EnvSchema as sandboxEnv } from '../../channels/sandbox/settings';
import { EnvSchema as wechatpayEnv } from '../../channels/wechatpay/settings';

// README's configuration table must name every variable the processes read at boot (config/index.ts and each
// channel's settings.ts): a new variable without its row fails here.
const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const section = /\n## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
/** The variables named in the first column of the table's rows. */
const documented = new Set(
  section.split('\n').filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)),
);
/** Read by config/index.ts only to derive PAYDURABLE_ENV's default (documented in that row). */
const DOCUMENTED_ELSEWHERE = new Set(['NODE_ENV']);

describe('README configuration table', () => {
  it('is found', () => {
    expect(documented.size).toBeGreaterThan(40);
  });

  it.each([
    ['config/index.ts', EnvSchema],
    ['channels/alipay/settings.ts', alipayEnv],
    ['channels/ipaynow/settings.ts', ipaynowEnv],
    ['channels/sandbox/settings.ts', sandboxEnv],
    ['channels/wechatpay/settings.ts', wechatpayEnv],
  ] as const)('documents every variable of %s', (_file, schema) => {
    const missing = Object.keys(schema.shape).filter((v) => !documented.has(v) && !DOCUMENTED_ELSEWHERE.has(v));
    expect(missing).toEqual([]);
  });
});
