import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { parseSchedule } from '../domain/durations';
import { createMerchantAccount } from '../merchants/create-merchant';
import { parsePayoutLimit } from '../domain/payout';
import { setPayouts } from '../merchants/settings';
import { parseSignTypes } from './merchant-keys-args';
import { assertNewKeyFile, writeKeyFile } from './key-file';

/**
 * Creates a merchant in the database at DATABASE_URL, through the same use case as the admin API's
 * POST /admin/v1/merchants (merchants/create-merchant.ts: live and test keys sealed under MASTER_KEYS, one audit row),
 * and writes its number and both keys once, into a new file readable by its owner only (0600; default
 * ./<mercNo>.key.json, never overwritten). The keys are never printed. The audit actor is `script:<OS user>`.
 * With the API running, `npm run admin -- create` does the same over HTTP.
 *   npx tsx scripts/create-merchant.ts --merc-no ORG1520825458796 --name "Shop" [--notify-schedule 10s,10s]
 *     [--sign-types HMAC-SHA256-RAW,HMAC-SHA256,MD5] [--key-file PATH]
 *     [--payout-daily-limit 20000.00] [--payout-approval]
 * Payouts (tradeType 02/03): --payout-daily-limit is the merchant's own daily payout limit in yuan (0 = no payouts;
 * default: the platform's PAYOUT_DAILY_LIMIT); --payout-approval makes every payout wait for a support operator. Both
 * are set through the admin API's use case (merchants/settings.ts setPayouts, audited), as `npm run admin -- payouts`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'merc-no': { type: 'string' }, name: { type: 'string' }, 'notify-schedule': { type: 'string' }, 'key-file': { type: 'string' },
      'sign-types': { type: 'string' }, 'payout-daily-limit': { type: 'string' }, 'payout-approval': { type: 'boolean' },
    },
  });
  const mercNo = values['merc-no'];
  if (!mercNo) throw new Error('usage: DATABASE_URL=… tsx scripts/create-merchant.ts --merc-no NO [--name NAME] [--notify-schedule 10s,10s] [--sign-types …]');
  const payoutLimitFen = values['payout-daily-limit'] === undefined ? undefined : payoutLimit(values['payout-daily-limit']);
  const config = loadConfig(process.env);
  const keyFile = resolve(values['key-file'] ?? `${mercNo}.key.json`);
  assertNewKeyFile(keyFile);
  const pool = createPool(config.databaseUrl, 1);
  try {
    await migrate(pool);
    const env = { pool, keyring: config.secrets.keyring };
    const actor = `script:${userInfo().username}`;
    const created = await createMerchantAccount(env, {
      mercNo,
      name: values.name ?? mercNo,
      ...(values['notify-schedule'] ? { notifyScheduleMs: parseSchedule(values['notify-schedule']) } : {}),
      ...(values['sign-types'] ? { signTypes: parseSignTypes(values['sign-types']) } : {}),
    }, actor);
    const m = created.merchant;
    // The keys first: a payout setting that fails must not lose them (the merchant exists already).
    writeKeyFile(keyFile, { mercNo: m.mercNo, liveKey: created.liveKey, testKey: created.testKey, signTypes: m.signTypes });
    console.log(`merchant ${m.mercNo} created (sign types ${m.signTypes.join(', ')}); its live and test keys are in ${keyFile} (mode 0600). Hand them over securely and delete the file.`);
    if (payoutLimitFen !== undefined || values['payout-approval']) {
      // The admin API's use case (PUT /admin/v1/merchants/{mercNo}/payouts): its own audit row.
      const p = await setPayouts(env, m.mercNo, {
        ...(payoutLimitFen !== undefined ? { dailyLimitFen: payoutLimitFen } : {}), ...(values['payout-approval'] ? { approvalRequired: true } : {}),
      }, actor).catch((err: unknown) => {
        throw new Error(`merchant ${m.mercNo} was created but its payout settings were not set (${(err as Error).message}): set them with npm run admin -- payouts`);
      });
      console.log(`payouts: daily limit ${p.dailyLimit ?? 'the platform default'}, approval ${p.approvalRequired ? 'required' : 'not required'}`);
    }
  } finally {
    await pool.end();
  }
}

/** A daily payout limit in yuan (two decimals at most), as fen; 0 means no payouts. */
function payoutLimit(text: string): number {
  const parsed = parsePayoutLimit(text);
  if (!parsed.ok) throw new Error(`--payout-daily-limit ${parsed.rule}`);
  return parsed.fen;
}

main().catch((err: unknown) => {
  console.error(`create-merchant: ${(err as Error).message}`);
  process.exit(1);
});
