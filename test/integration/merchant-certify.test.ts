import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startStack, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { repoRoot } from '../../devstack/paths';
import { certify, type Certification } from '../../cli/merchant/certify';
import { startNotifyReceiver } from '../../cli/merchant/notify-receiver';
import { parseSignatureHeader, rawSignatureMatches, SIGNATURE_HEADER } from '../../domain/raw-signature';
import { verifySignature, type FieldSignType } from '../../domain/signing';

// `npm run merchant -- certify` against merchant handlers on this machine, over the real stack: the platform's real
// notifications reach each handler through the certification's relay.
let stack: TestStack;
let merchant: TestMerchant;
const handlers: Server[] = [];

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  for (const h of handlers) {
    h.closeAllConnections();
    await new Promise<void>((resolve) => h.close(() => resolve()));
  }
  await stack?.stop();
});

/**
 * A merchant's notification handler with a flaw or none: it verifies the signature (unless `acceptForged`), answers
 * `success` (after `delayMs`), and with `rejectRepeats` answers `fail` to a notification id it has already handled.
 */
async function merchantHandler(key: string, flaw: { acceptForged?: boolean; delayMs?: number; rejectRepeats?: boolean } = {}): Promise<string> {
  const seen = new Set<string>();
  const verified = (raw: string, header: string | undefined): boolean => {
    if (header !== undefined) {
      const h = parseSignatureHeader(header);
      return typeof h !== 'string' && rawSignatureMatches(key, h, raw) !== null;
    }
    const fields = JSON.parse(raw) as Record<string, string>;
    return typeof fields.signature === 'string' && verifySignature(fields, key, fields.signType as FieldSignType, fields.signature);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok = flaw.acceptForged || verified(Buffer.concat(chunks).toString('utf8'), req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined);
      const id = String(req.headers['x-notify-id']);
      const repeat = seen.has(id);
      if (ok) seen.add(id);
      const answer = ok && !(flaw.rejectRepeats && repeat) ? 'success' : 'fail';
      setTimeout(() => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(answer), flaw.delayMs ?? 0);
    });
  });
  handlers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
}

const run = (notifyUrl: string, opts: { limitMs?: number; signType?: 'MD5' | 'HMAC-SHA256' | 'HMAC-SHA256-RAW' } = {}) =>
  certify({ mercNo: merchant.mercNo, key: merchant.keys.test, apiUrl: stack.api.url }, {
    notifyUrl, signType: opts.signType ?? 'HMAC-SHA256-RAW', waitMs: 15_000, ...(opts.limitMs ? { limitMs: opts.limitMs } : {}),
  });

/** Each case's checks as pass/fail, for one assertion per run. */
const outcome = (c: Certification) => Object.fromEntries(c.results.map((r) => [r.name, r.checks.map((k) => k.pass)]));
const detailOf = (c: Certification, name: string) => c.results.find((r) => r.name === name)!.checks.map((k) => k.detail).join(' | ');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', join(repoRoot, 'cli/merchant.ts'), ...args], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('merchant certify', () => {
  it('a correct handler (the CLI\'s own receiver) passes every case: the table and exit code 0', async () => {
    const receiver = await startNotifyReceiver({ key: merchant.keys.test });
    try {
      const r = await cli(['certify', '--notify-url', receiver.url, '--wait-ms', '15000'],
        { MERC_NO: merchant.mercNo, MERC_KEY: merchant.keys.test, API_URL: stack.api.url });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('PASSED');
      for (const name of ['paid', 'duplicate', 'expired', 'closed', 'late payment', 'refund', 'bad signature', 'slow retry']) {
        expect(r.stdout).toMatch(new RegExp(`^${name}\\s+.*\\s+PASS\\s`, 'm'));
      }
      expect(r.stdout).not.toMatch(/\sFAIL\s/);
      // What the handler saw: p0000, the same notification twice, p0006, p0005, a forged p0000 it refused, a refund.
      expect(receiver.received.some((n) => !n.verified && n.fields.payStatus === 'p0000')).toBe(true);
      expect(receiver.received.some((n) => n.verified && n.fields.notifyType === 'refund')).toBe(true);
      expect(receiver.received.some((n) => n.verified && n.attempt === '2')).toBe(true);
    } finally {
      await receiver.stop();
    }
  });

  it('refuses a live key: it places and pays orders', async () => {
    const r = await cli(['certify', '--notify-url', 'http://127.0.0.1:9/notify'], { MERC_NO: merchant.mercNo, MERC_KEY: merchant.keys.live, API_URL: stack.api.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('test-mode orders only');
  });

  it('a handler that accepts a forged signature fails that row only (field-form MD5 notifications)', async () => {
    const c = await run(await merchantHandler(merchant.keys.test, { acceptForged: true }), { signType: 'MD5' });
    expect(outcome(c)).toEqual({
      paid: [true], duplicate: [true], expired: [true], closed: [true], 'late payment': [true], refund: [true], 'bad signature': [false], 'slow retry': [true, true],
    });
    expect(detailOf(c, 'bad signature')).toContain('a forged notification was accepted');
    expect(c.passed).toBe(false);
  });

  it('a handler slower than the limit fails the rows it answered slowly', async () => {
    const c = await run(await merchantHandler(merchant.keys.test, { delayMs: 600 }), { limitMs: 300 });
    expect(outcome(c)).toEqual({
      paid: [false], duplicate: [false], expired: [false], closed: [false], 'late payment': [false], refund: [false], 'bad signature': [true], 'slow retry': [true, false],
    });
    expect(detailOf(c, 'paid')).toMatch(/HTTP 200 "success" in \d+ ms: too slow/);
    expect(c.passed).toBe(false);
  });

  it('a handler that refuses a notification it has already handled fails the duplicate and the retry', async () => {
    const c = await run(await merchantHandler(merchant.keys.test, { rejectRepeats: true }), { signType: 'HMAC-SHA256' });
    expect(outcome(c)).toEqual({
      paid: [true], duplicate: [false], expired: [true], closed: [true], 'late payment': [true], refund: [true], 'bad signature': [true], 'slow retry': [true, false],
    });
    expect(detailOf(c, 'duplicate')).toContain('"fail"');
    expect(c.passed).toBe(false);
  });
});
