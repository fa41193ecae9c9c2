import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { merchantCall, payInSandbox, startStack, TEST_ADMIN_OPERATOR, TEST_ADMIN_TOKEN, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { repoRoot } from '../../devstack/paths';
import { findMerchant } from '../../db/merchants';
import { listChannelRoutes } from '../../db/channel-routes';
import { findIpaynowAccount } from '../../channels/ipaynow/account-store';
import { listAdminAudit } from '../../db/admin-audit';
import { payoutSettingsOf } from '../../db/payouts';

// The admin CLI as an operator runs it (its own process, tsx) over the admin API of this file's live stack.
let stack: TestStack;
let dir: string;

interface Run { code: number; stdout: string; stderr: string }

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/admin.ts'), ...args], {
      cwd: repoRoot, // tsx resolves from here; key files go to --key-file paths in `dir`
      env: { ...process.env, ADMIN_URL: stack.api.adminUrl, ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...env },
      timeout: 60_000,
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  stack = await startStack();
  dir = mkdtempSync(join(tmpdir(), 'paydurable-admin-cli-'));
});
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('admin CLI', () => {
  it('creates a merchant (keys into a 0600 file, never printed), changes its settings and rotates a key, end to end', async () => {
    const mercNo = `CLI${Date.now().toString(36).toUpperCase()}`;
    const keyFile = join(dir, `${mercNo}.key.json`);
    const created = await cli(['create', mercNo, '--name', 'CLI shop', '--sign-types', 'MD5,HMAC-SHA256-RAW', '--notify-schedule', '100ms', '--max-open-orders', '5', '--key-file', keyFile]);
    expect(created.code, created.stderr).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(keyFile, 'utf8')) as { liveKey: string; testKey: string };
    expect(created.stdout).toContain(`merchant ${mercNo} created by ${TEST_ADMIN_OPERATOR}`);
    expect(created.stdout).not.toContain(keys.testKey);
    expect(created.stdout).not.toContain(keys.liveKey);
    // The key from the file pays.
    const placed = await merchantCall(stack.api.url, '/api/pay', { mercNo, signKey: keys.testKey }, unifiedOrderFields());
    expect(placed.body.respCode, placed.body.respDesc).toBe('000000');
    expect((await payInSandbox(stack.api.url, new URL(placed.body.codeUrl!).pathname.split('/').pop()!)).body.paid).toBe(true);
    // A second create of the number fails, and leaves no file.
    const again = await cli(['create', mercNo, '--key-file', join(dir, 'again.json')]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('conflict');
    expect(() => statSync(join(dir, 'again.json'))).toThrow();

    for (const args of [
      ['notify-schedule', mercNo, '200ms,1s'], ['sign-types', mercNo, 'HMAC-SHA256'], ['route', mercNo, '*', 'ipaynow,alipay'],
      ['limits', mercNo, '--max-open-orders', 'default', '--refund-window-days', '30', '--rate-limit-rps', '50'],
      ['payouts', mercNo, '--daily-limit', '1200.50', '--approval', 'required'], ['disable', mercNo, '--reason', 'test'],
    ]) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const accountFile = join(dir, 'ipaynow.json');
    writeFileSync(accountFile, JSON.stringify({ appId: 'CLIAPP0000000001', appKey: 'cli-app-key-000000001' }));
    const account = await cli(['channel-account', mercNo, 'ipaynow', '--file', accountFile]);
    expect(account.code, account.stderr).toBe(0);
    expect(account.stdout).not.toContain('cli-app-key-000000001');
    expect(await findMerchant(stack.pool, mercNo)).toMatchObject({
      status: 'disabled', notifyScheduleMs: [200, 1000], signTypes: ['HMAC-SHA256'], maxOpenOrders: null, refundWindowDays: 30, rateLimitRps: 50, rateLimitBurst: null,
    });
    expect(await listChannelRoutes(stack.pool, mercNo)).toEqual({ '*': ['ipaynow', 'alipay'] });
    expect(await payoutSettingsOf(stack.pool, mercNo)).toEqual({ dailyLimitFen: 120_050, approvalRequired: true });
    expect(await findIpaynowAccount(stack.pool, stack.config.secrets.keyring, mercNo)).toMatchObject({ appId: 'CLIAPP0000000001', appKey: 'cli-app-key-000000001' });
    expect((await merchantCall(stack.api.url, '/api/query', { mercNo, signKey: keys.testKey }, { orderId: placed.body.orderId!, signType: 'HMAC-SHA256' })).body.respCode).toBe('100003');
    expect((await cli(['enable', mercNo])).code).toBe(0);

    const rotated = await cli(['rotate', mercNo, '--mode', 'test', '--overlap', '0', '--json', '--key-file', join(dir, 'rotated.json')]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const answer = JSON.parse(rotated.stdout) as { keyFile: string; keyId: string; key?: string };
    expect(answer.key).toBeUndefined();
    expect(statSync(answer.keyFile).mode & 0o777).toBe(0o600);
    const newKey = (JSON.parse(readFileSync(answer.keyFile, 'utf8')) as { key: string }).key;
    const query = (signKey: string) => merchantCall(stack.api.url, '/api/query', { mercNo, signKey }, { orderId: placed.body.orderId!, signType: 'HMAC-SHA256' });
    expect((await query(newKey)).body.respCode).toBe('000000');
    expect((await query(keys.testKey)).body.respCode).toBe('100002');

    const shown = await cli(['show', mercNo]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(answer.keyId);
    expect(shown.stdout).not.toContain(newKey);
    const actions = (await listAdminAudit(stack.pool, mercNo, 20)).map((a) => `${a.action}:${a.actor}`);
    expect(actions).toEqual([
      'key.rotate', 'merchant.enable', 'channel_account.set', 'merchant.disable', 'payouts.set', 'limits.set', 'routes.set', 'sign_types.set',
      'notify_schedule.set', 'merchant.create',
    ].map((a) => `${a}:${TEST_ADMIN_OPERATOR}`));
  });

  it('refuses without a token, with a support operator\'s token (403) and on bad input, naming the problem', async () => {
    expect((await cli(['show', 'X1'], { ADMIN_TOKEN: '' })).stderr).toContain('ADMIN_TOKEN');
    const support = await cli(['show', 'X1'], { ADMIN_TOKEN: 'test-token-alice-0123456789abcdef' });
    expect(support.code).toBe(1);
    expect(support.stderr).toContain('HTTP 403 forbidden');
    const bad = await cli(['sign-types', 'X1', 'SHA1']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('signTypes.0 must be one of');
    const badLimit = await cli(['payouts', 'X1', '--daily-limit', '1.234']);
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr).toContain('--daily-limit must be yuan');
  });
});
