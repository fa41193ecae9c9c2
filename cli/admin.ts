import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { adminRequest, adminSettings } from './admin/client';
import { terminalSafe } from './support/terminal-safe';
import { parseDuration, parseSchedule } from '../domain/durations';
import { parsePayoutLimit, PAYOUT_LIMIT_RULE } from '../domain/payout';
import { assertNewKeyFile, writeKeyFile } from '../scripts/key-file';

/** Everything printed goes through terminalSafe; keys are never printed (they go to 0600 files). */
const out = (text: string) => void process.stdout.write(`${terminalSafe(text)}\n`);
const errOut = (text: string) => void process.stderr.write(`${terminalSafe(text)}\n`);

/**
 * The merchant administration command line over the admin API (/admin/v1 on the API's admin listener). Settings:
 * ADMIN_URL (default http://127.0.0.1:8081) and ADMIN_TOKEN (your token in ADMIN_OPERATORS: every change is audited
 * under your operator name). New keys are written once into a new file readable by you only (0600), never printed.
 */
const USAGE = `usage: npm run admin -- <command> [--json]

  create <mercNo> [--name NAME] [--sign-types HMAC-SHA256-RAW,MD5] [--notify-schedule 2s,10s,1m]
         [--max-open-orders N] [--refund-window-days N] [--key-file PATH]
                                    a new merchant; its live and test keys go into a new 0600 file
                                    (default ./<mercNo>.key.json)
  show <mercNo>                     settings, limits, key ids, routes and the latest audited changes
  disable <mercNo> [--reason TEXT]  its requests are refused (100003); open orders still finish and notify
  enable <mercNo> [--reason TEXT]
  rotate <mercNo> --mode live|test [--overlap 24h] [--key-file PATH]
                                    a new key (into a new 0600 file, default ./<mercNo>.<mode>-key.json); the
                                    old one verifies for the overlap (0 = revoked now)
  notify-schedule <mercNo> <2s,10s,1m|default>
  sign-types <mercNo> <HMAC-SHA256-RAW[,HMAC-SHA256,MD5]>
  route <mercNo> <alipay|wxpay|unionpay|*> <channel[,channel…]|none>
                                    live channels of a payway, tried in order (none: remove the payway's routes)
  channel-account <mercNo> <ipaynow|alipay|wechatpay> --file ACCOUNT.json
                                    the merchant's own account at a channel (the file's JSON, as in docs/admin-api.md)
  limits <mercNo> [--max-open-orders N|default] [--refund-window-days N|default] [--rate-limit-rps N|default]
         [--rate-limit-burst N|default]      the merchant's own limits (default: the platform's)
  payouts <mercNo> [--daily-limit YUAN|default] [--approval required|none]
                                    its daily payout limit in yuan (0: no payouts; default: PAYOUT_DAILY_LIMIT)
                                    and whether its payouts wait for a support operator's approval

exit codes: 0 ok, 1 error`;

class UsageError extends Error {}

const int = (name: string, text: string) => {
  if (!/^\d+$/.test(text)) throw new UsageError(`${name} must be a whole number`);
  return Number(text);
};
const orDefault = (name: string, text: string | undefined) => (text === undefined ? undefined : text === 'default' ? null : int(name, text));
const list = (text: string) => text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false }, name: { type: 'string' }, 'sign-types': { type: 'string' },
      'notify-schedule': { type: 'string' }, 'max-open-orders': { type: 'string' }, 'refund-window-days': { type: 'string' },
      'rate-limit-rps': { type: 'string' }, 'rate-limit-burst': { type: 'string' }, 'key-file': { type: 'string' }, reason: { type: 'string' }, mode: { type: 'string' }, overlap: { type: 'string' },
      file: { type: 'string' }, 'daily-limit': { type: 'string' }, approval: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, mercNoArg, ...args] = positionals;
  if (!command || values.help) {
    out(USAGE);
    return command || values.help ? 0 : 1;
  }
  if (!mercNoArg) throw new UsageError(`${command} needs a mercNo`);
  const mercNo = mercNoArg;
  const path = `/merchants/${encodeURIComponent(mercNo)}`;
  const s = adminSettings();
  const print = (json: unknown, human: string) => out(values.json ? JSON.stringify(json, null, 2) : human);

  switch (command) {
    case 'create': {
      const keyFile = resolve(values['key-file'] ?? `${mercNo}.key.json`);
      assertNewKeyFile(keyFile);
      const maxOpen = orDefault('--max-open-orders', values['max-open-orders']);
      const window = orDefault('--refund-window-days', values['refund-window-days']);
      const created = await adminRequest<{ merchant: { mercNo: string; signTypes: string[] }; liveKey: string; testKey: string; actor: string }>(s, 'POST', '/merchants', {
        mercNo, name: values.name ?? mercNo,
        ...(values['sign-types'] ? { signTypes: list(values['sign-types']) } : {}),
        ...(values['notify-schedule'] ? { notifyScheduleMs: parseSchedule(values['notify-schedule']) } : {}),
        ...(maxOpen !== undefined && maxOpen !== null ? { maxOpenOrders: maxOpen } : {}),
        ...(window !== undefined && window !== null ? { refundWindowDays: window } : {}),
      });
      const m = created.merchant;
      writeKeyFile(keyFile, { mercNo: m.mercNo, liveKey: created.liveKey, testKey: created.testKey, signTypes: m.signTypes });
      const { liveKey: _l, testKey: _t, ...shown } = created;
      print({ ...shown, keyFile }, `merchant ${m.mercNo} created by ${created.actor} (sign types ${m.signTypes.join(', ')}); its live and test keys are in ${keyFile} (mode 0600). Hand them over securely and delete the file.`);
      return 0;
    }
    case 'show': {
      const view = await adminRequest<Record<string, unknown>>(s, 'GET', path);
      print(view, JSON.stringify(view, null, 2));
      return 0;
    }
    case 'disable':
    case 'enable': {
      const r = await adminRequest<{ status: string; previousStatus: string; actor: string }>(s, 'POST', `${path}/${command}`, values.reason ? { reason: values.reason } : {});
      print(r, `merchant ${mercNo}: ${r.previousStatus} → ${r.status} (by ${r.actor})`);
      return 0;
    }
    case 'rotate': {
      if (values.mode !== 'live' && values.mode !== 'test') throw new UsageError('rotate needs --mode live|test');
      const overlapMs = values.overlap === undefined ? 24 * 3_600_000 : values.overlap === '0' ? 0 : parseDuration(values.overlap);
      const keyFile = resolve(values['key-file'] ?? `${mercNo}.${values.mode}-key.json`);
      assertNewKeyFile(keyFile);
      const r = await adminRequest<{ keyId: string; key: string; mode: string; previousKeysVerifyUntil: string; actor: string }>(
        s, 'POST', `${path}/keys/rotate`, { mode: values.mode, overlapMs });
      writeKeyFile(keyFile, { mercNo, mode: r.mode, keyId: r.keyId, key: r.key });
      const { key: _k, ...shown } = r;
      print({ ...shown, keyFile }, `merchant ${mercNo}: new ${r.mode} key ${r.keyId} in ${keyFile} (mode 0600); the previous ${r.mode} key verifies until ${r.previousKeysVerifyUntil}`);
      return 0;
    }
    case 'notify-schedule': {
      if (args.length !== 1) throw new UsageError('notify-schedule <mercNo> <2s,10s,1m|default>');
      const schedule = args[0] === 'default' ? null : parseSchedule(args[0]!);
      const r = await adminRequest<{ notifyScheduleMs: number[] | null }>(s, 'PUT', `${path}/notify-schedule`, { notifyScheduleMs: schedule });
      print(r, `merchant ${mercNo}: notify schedule ${r.notifyScheduleMs === null ? 'the platform default' : r.notifyScheduleMs.map((ms) => `${ms}ms`).join(',')}`);
      return 0;
    }
    case 'sign-types': {
      if (args.length !== 1) throw new UsageError('sign-types <mercNo> <HMAC-SHA256-RAW[,HMAC-SHA256,MD5]>');
      const r = await adminRequest<{ signTypes: string[] }>(s, 'PUT', `${path}/sign-types`, { signTypes: list(args[0]!) });
      print(r, `merchant ${mercNo}: sign types ${r.signTypes.join(', ')}`);
      return 0;
    }
    case 'route': {
      if (args.length !== 2) throw new UsageError('route <mercNo> <paywayCode|*> <channel[,channel…]|none>');
      const channels = args[1] === 'none' ? [] : list(args[1]!);
      const r = await adminRequest<{ routes: Record<string, string[]> }>(s, 'PUT', `${path}/routes`, { paywayCode: args[0], channels });
      const lines = Object.entries(r.routes).map(([p, c]) => `  ${p}: ${c.join(' → ')}`);
      print(r, `merchant ${mercNo}: routes\n${lines.join('\n') || '  (none: DEFAULT_CHANNEL serves live orders)'}`);
      return 0;
    }
    case 'channel-account': {
      if (args.length !== 1 || !values.file) throw new UsageError('channel-account <mercNo> <channel> --file ACCOUNT.json');
      let account: unknown;
      try {
        account = JSON.parse(readFileSync(values.file, 'utf8'));
      } catch (err) {
        throw new UsageError(`--file: ${(err as Error).message}`);
      }
      const r = await adminRequest<{ channel: string; account: Record<string, unknown> }>(s, 'PUT', `${path}/channel-accounts/${encodeURIComponent(args[0]!)}`, account);
      print(r, `merchant ${mercNo}: ${r.channel} account set (${Object.entries(r.account).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')})`);
      return 0;
    }
    case 'limits': {
      const maxOpenOrders = orDefault('--max-open-orders', values['max-open-orders']);
      const refundWindowDays = orDefault('--refund-window-days', values['refund-window-days']);
      const rateLimitRps = orDefault('--rate-limit-rps', values['rate-limit-rps']);
      const rateLimitBurst = orDefault('--rate-limit-burst', values['rate-limit-burst']);
      const change = Object.fromEntries(Object.entries({ maxOpenOrders, refundWindowDays, rateLimitRps, rateLimitBurst }).filter(([, v]) => v !== undefined));
      if (Object.keys(change).length === 0) throw new UsageError('limits needs at least one of --max-open-orders, --refund-window-days, --rate-limit-rps, --rate-limit-burst');
      type Limits = { maxOpenOrders: number | null; refundWindowDays: number | null; rateLimitRps: number | null; rateLimitBurst: number | null };
      const r = await adminRequest<Limits>(s, 'PUT', `${path}/limits`, change);
      const shown = (v: number | null, unit = '') => (v === null ? 'the platform default' : `${v}${unit}`);
      print(r, `merchant ${mercNo}: max open orders ${shown(r.maxOpenOrders)}, refund window ${shown(r.refundWindowDays, ' days')}, `
        + `request rate ${shown(r.rateLimitRps, '/s')}, burst ${shown(r.rateLimitBurst, ' per 10 s')}`);
      return 0;
    }
    case 'payouts': {
      const limit = values['daily-limit'];
      if (limit !== undefined && limit !== 'default' && !parsePayoutLimit(limit).ok) throw new UsageError(`--daily-limit ${PAYOUT_LIMIT_RULE}, or default`);
      if (values.approval !== undefined && values.approval !== 'required' && values.approval !== 'none') throw new UsageError('--approval must be required or none');
      const change = {
        ...(limit !== undefined ? { dailyLimit: limit === 'default' ? null : limit } : {}),
        ...(values.approval !== undefined ? { approvalRequired: values.approval === 'required' } : {}),
      };
      if (Object.keys(change).length === 0) throw new UsageError('payouts needs --daily-limit or --approval (or both)');
      const r = await adminRequest<{ dailyLimit: string | null; approvalRequired: boolean }>(s, 'PUT', `${path}/payouts`, change);
      print(r, `merchant ${mercNo}: daily payout limit ${r.dailyLimit === null ? 'the platform default' : r.dailyLimit === '0.00' ? '0.00 (no payouts)' : `${r.dailyLimit} yuan`}, `
        + `payouts ${r.approvalRequired ? 'wait for a support operator\'s approval' : 'are sent without approval'}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) errOut(`admin: ${err.message}\n\n${USAGE}`);
    else errOut(`admin: ${(err as Error).message}`);
    process.exit(1);
  },
);
