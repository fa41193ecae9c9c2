import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { createMerchant, findMerchant } from '../db/merchants';
import { parseSchedule } from '../domain/durations';

/**
 * Creates a merchant in the database at DATABASE_URL and writes its number and signing key once, into a new file
 * readable by its owner only (0600; default ./<mercNo>.key.json, never overwritten). The key is never printed.
 *   npx tsx scripts/create-merchant.ts --merc-no ORG1520825458796 --name "Shop" [--notify-schedule 10s,10s] [--key-file PATH]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'merc-no': { type: 'string' }, name: { type: 'string' }, 'notify-schedule': { type: 'string' }, 'key-file': { type: 'string' } } });
  const url = process.env.DATABASE_URL;
  if (!url || !values['merc-no']) throw new Error('usage: DATABASE_URL=… tsx scripts/create-merchant.ts --merc-no NO [--name NAME] [--notify-schedule 10s,10s]');
  const pool = createPool(url, 1);
  try {
    await migrate(pool);
    if (await findMerchant(pool, values['merc-no'])) throw new Error(`merchant ${values['merc-no']} exists already`);
    const keyFile = resolve(values['key-file'] ?? `${values['merc-no']}.key.json`);
    if (existsSync(keyFile)) throw new Error(`${keyFile} exists already; pass another --key-file`);
    const m = await createMerchant(pool, {
      mercNo: values['merc-no'],
      name: values.name ?? values['merc-no'],
      ...(values['notify-schedule'] ? { notifyScheduleMs: parseSchedule(values['notify-schedule']) } : {}),
    });
    // 'wx': created here, never overwriting; 0600: the merchant's key is readable by this user only.
    writeFileSync(keyFile, `${JSON.stringify({ mercNo: m.mercNo, key: m.signKey }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    console.log(`merchant ${m.mercNo} created; its signing key is in ${keyFile} (mode 0600). Hand it over securely and delete the file.`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`create-merchant: ${(err as Error).message}`);
  process.exit(1);
});
