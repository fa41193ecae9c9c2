import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from '../../config/index';
import { loadChannelSettings } from '../../channels/registry';

// README's configuration table must name every variable the processes read at boot (config/index.ts and each
// registered channel's settings): a new variable without its row fails here.
const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
const section = /\n## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
/** The variables named in the first column of the table's rows. */
const documented = new Set(
  section.split('\n').filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!)),
);
/** The variables every registered channel reads: its settings loaded over an environment that records each read. */
function channelVariables(): string[] {
  const read = new Set<string>();
  const env = new Proxy({}, { get: (_t, key) => void (typeof key === 'string' && read.add(key)) });
  loadChannelSettings({ channelEnv: env, channels: { defaultLiveChannel: undefined } } as never);
  return [...read].filter((v) => /^[A-Z][A-Z0-9_]+$/.test(v));
}

/** Read by config/index.ts only to derive PAYDURABLE_ENV's default (documented in that row). */
const DOCUMENTED_ELSEWHERE = new Set(['NODE_ENV']);

describe('README configuration table', () => {
  it('is found', () => {
    expect(documented.size).toBeGreaterThan(40);
  });

  it('documents every variable of config/index.ts', () => {
    expect(Object.keys(EnvSchema.shape).filter((v) => !documented.has(v) && !DOCUMENTED_ELSEWHERE.has(v))).toEqual([]);
  });

  it('documents every variable of each channel (channels/<name>/settings.ts)', () => {
    const read = channelVariables();
    expect(read).toEqual(expect.arrayContaining(['SANDBOX_REFUND_MODE', 'IPAYNOW_APP_ID', 'ALIPAY_APP_ID', 'WECHATPAY_MCH_ID']));
    expect(read.filter((v) => !documented.has(v))).toEqual([]);
  });
});
