import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { TEST_MASTER_KEYS, testKeyring } from '../support/stack-core';
import { rotateMerchantKey } from '../../db/merchant-keys';
import { newMasterKeyText, parseMasterKeys } from '../../secrets/keyring';
import { repoRoot } from '../../devstack/paths';

// Finding 7 (keys in plaintext, no rotation): keys sealed at rest, rotation with an overlap window in which both
// keys verify, re-keying under a new master key — over the real API.
let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'paydurable-keys-'));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const query = (mercNo: string, signKey: string) => merchantCall(stack.api.url, '/api/query', { mercNo, signKey }, { mercOrderNo: 'NONE' });

function keysCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/merchant-keys.ts'), ...args], {
      cwd: repoRoot, env: { ...process.env, DATABASE_URL: inject('databaseUrl'), MASTER_KEYS: TEST_MASTER_KEYS, ...env }, timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('key rotation', () => {
  it('a rotated key keeps working for the overlap window, then stops; the new key works throughout', async () => {
    const merchant = await testMerchant(stack.pool);
    const old = merchant.keys.test;
    const file = join(dir, 'new-test-key.json');
    const run = await keysCli(['rotate', merchant.mercNo, '--mode', 'test', '--overlap', '1h', '--key-file', file]);
    expect(run.code, run.stderr).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as { key: string; mode: string };
    expect(written.mode).toBe('test');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(run.stdout + run.stderr).not.toContain(written.key);

    // Inside the overlap: both verify (404 = authenticated, the order just does not exist).
    expect((await query(merchant.mercNo, old)).body.respCode).toBe('100005');
    expect((await query(merchant.mercNo, written.key)).body.respCode).toBe('100005');
    // The window ends (moved to the past here): the old key is refused, the new one still works.
    await stack.pool.query('UPDATE merchant_keys SET expires_at = now() - interval \'1 second\' WHERE merc_no = $1 AND expires_at IS NOT NULL', [merchant.mercNo]);
    expect((await query(merchant.mercNo, old)).body.respCode).toBe('100002');
    expect((await query(merchant.mercNo, written.key)).body.respCode).toBe('100005');
    // The live key was not touched.
    expect((await query(merchant.mercNo, merchant.keys.live)).body.respCode).toBe('100005');
  });

  it('rotation with no overlap revokes at once', async () => {
    const merchant = await testMerchant(stack.pool);
    const fresh = await rotateMerchantKey(stack.pool, testKeyring(), merchant.mercNo, 'live', 0);
    expect((await query(merchant.mercNo, merchant.keys.live)).body.respCode).toBe('100002');
    expect((await query(merchant.mercNo, fresh.secret)).body.respCode).toBe('100005');
  });

  it('rekey seals every key under a new master key; with the old one still listed, keys keep verifying', async () => {
    const merchant = await testMerchant(stack.pool);
    const next = newMasterKeyText('t2');
    const run = await keysCli(['rekey'], { MASTER_KEYS: `${next},${TEST_MASTER_KEYS}` });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/sealed under master key t2: [1-9]\d* merchant keys/);
    const rows = (await stack.pool.query<{ secret: string }>('SELECT secret FROM merchant_keys WHERE merc_no = $1', [merchant.mercNo])).rows;
    expect(rows.every((r) => r.secret.startsWith('pdk1:t2:'))).toBe(true);
    // The stack (MASTER_KEYS = t1 only) can no longer open them: a request fails closed, never verifies with garbage.
    expect((await query(merchant.mercNo, merchant.keys.test)).status).toBeGreaterThanOrEqual(500);
    // Sealed back under t1 for the rest of this run's tests.
    const back = await keysCli(['rekey'], { MASTER_KEYS: `${TEST_MASTER_KEYS},${next}` });
    expect(back.code, back.stderr).toBe(0);
    expect((await query(merchant.mercNo, merchant.keys.test)).body.respCode).toBe('100005');
    expect(parseMasterKeys(`${next}`).current?.id).toBe('t2');
  });
});
