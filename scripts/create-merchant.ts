import { resolve } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { parseSchedule } from '../domain/durations';
import { createMerchantAccount } from '../merchants/create-merchant';
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
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'merc-no': { type: 'string' }, name: { type: 'string' }, 'notify-schedule': { type: 'string' }, 'key-file': { type: 'string' },
      'sign-types': { type: 'string' },
    },
  });
  const mercNo = values['merc-no'];
  if (!mercNo) throw new Error('usage: DATABASE_URL=… tsx scripts/create-merchant.ts --merc-no NO [--name NAME] [--notify-schedule 10s,10s] [--sign-types …]');
  const config = loadConfig(process.env);
  const keyFile = resolve(values['key-file'] ?? `${mercNo}.key.json`);
  assertNewKeyFile(keyFile);
  const pool = createPool(config.databaseUrl, 1);
  try {
    await migrate(pool);
    const created = await createMerchantAccount({ pool, keyring: config.secrets.keyring }, {
      mercNo,
      name: values.name ?? mercNo,
      ...(values['notify-schedule'] ? { notifyScheduleMs: parseSchedule(values['notify-schedule']) } : {}),
      ...(values['sign-types'] ? { signTypes: parseSignTypes(values['sign-types']) } : {}),
    }, `script:${userInfo().username}`);
    const m = created.merchant;
    writeKeyFile(keyFile, { mercNo: m.mercNo, liveKey: created.liveKey, testKey: created.testKey, signTypes: m.signTypes });
    console.log(`merchant ${m.mercNo} created (sign types ${m.signTypes.join(', ')}); its live and test keys are in ${keyFile} (mode 0600). Hand them over securely and delete the file.`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`create-merchant: ${(err as Error).message}`);
  process.exit(1);
});
