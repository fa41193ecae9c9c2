import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { repoRoot } from '../../devstack/paths';
import { createPool, type Pool } from '../../db/pool';
import { findMerchant } from '../../db/merchants';
import { findVerifyingKeys } from '../../db/merchant-keys';
import { payoutSettingsOf } from '../../db/payouts';
import { listAdminAudit } from '../../db/admin-audit';
import { TEST_MASTER_KEYS, testKeyring } from '../support/stack-core';

// create-merchant hands the new key over once, in a file only its owner can read, and never prints it.
let pool: Pool;
let dir: string;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'), 1);
  dir = mkdtempSync(join(tmpdir(), 'paydurable-keys-'));
});
afterAll(async () => {
  await pool?.end();
  rmSync(dir, { recursive: true, force: true });
});

function createMerchantCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/create-merchant.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, DATABASE_URL: inject('databaseUrl'), MASTER_KEYS: TEST_MASTER_KEYS }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('create-merchant key output', () => {
  it('writes the key into a new 0600 file, prints only where it is, and never overwrites', async () => {
    const mercNo = `K${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const file = join(dir, `${mercNo}.key.json`);
    const run = await createMerchantCli(['--merc-no', mercNo, '--name', 'Key test', '--key-file', file]);
    expect(run.code, run.stderr).toBe(0);
    const stored = await findMerchant(pool, mercNo);
    expect(stored).not.toBeNull();
    const written = JSON.parse(readFileSync(file, 'utf8')) as { mercNo: string; liveKey: string; testKey: string; signTypes: string[] };
    expect(written).toMatchObject({ mercNo, signTypes: ['HMAC-SHA256-RAW'] });
    // The file holds the keys the platform verifies with, and they are sealed at rest (never the plaintext in a row).
    const keys = await findVerifyingKeys(pool, testKeyring(), mercNo, Date.now());
    expect(Object.fromEntries(keys.map((k) => [k.mode, k.secret]))).toEqual({ live: written.liveKey, test: written.testKey });
    const rows = (await pool.query<{ secret: string }>('SELECT secret FROM merchant_keys WHERE merc_no = $1', [mercNo])).rows;
    expect(rows.every((r) => r.secret.startsWith('pdk1:t1:') && !r.secret.includes(written.liveKey) && !r.secret.includes(written.testKey))).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toContain(written.liveKey);
    expect(run.stdout + run.stderr).not.toContain(written.testKey);
    expect(run.stdout).toContain(file);

    const other = `${mercNo}B`;
    const again = await createMerchantCli(['--merc-no', other, '--key-file', file]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('exists already');
    expect(await findMerchant(pool, other)).toBeNull();
  });

  it('sets the merchant\'s payout limit and approval (--payout-daily-limit, --payout-approval); a bad limit creates nothing', async () => {
    const mercNo = `K${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const run = await createMerchantCli(['--merc-no', mercNo, '--key-file', join(dir, `${mercNo}.key.json`), '--payout-daily-limit', '200.50', '--payout-approval']);
    expect(run.code, run.stderr).toBe(0);
    expect(await payoutSettingsOf(pool, mercNo)).toEqual({ dailyLimitFen: 20_050, approvalRequired: true });
    // Through the admin API's use case: its own audit row, by the script's actor.
    const audit = await listAdminAudit(pool, mercNo, 5);
    expect(audit.map((a) => a.action)).toEqual(['payouts.set', 'merchant.create']);
    expect(audit[0]).toMatchObject({ actor: expect.stringMatching(/^script:/), detail: { from: { dailyLimit: null, approvalRequired: false }, to: { dailyLimit: '200.50', approvalRequired: true } } });

    const plain = `${mercNo}P`;
    expect((await createMerchantCli(['--merc-no', plain, '--key-file', join(dir, `${plain}.key.json`)])).code).toBe(0);
    expect(await payoutSettingsOf(pool, plain)).toEqual({ dailyLimitFen: null, approvalRequired: false });
    expect((await listAdminAudit(pool, plain, 5)).map((a) => a.action)).toEqual(['merchant.create']);

    const bad = `${mercNo}X`;
    const refused = await createMerchantCli(['--merc-no', bad, '--key-file', join(dir, `${bad}.key.json`), '--payout-daily-limit', '1.234']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--payout-daily-limit must be yuan');
    expect(await findMerchant(pool, bad)).toBeNull();
  });
});
