import { parseArgs } from 'node:util';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { createMerchant, findMerchant } from '../db/merchants';
import { parseSchedule } from '../domain/durations';

/**
 * Creates a merchant in the database at DATABASE_URL and prints its number and signing key (shown once, here only).
 *   npx tsx scripts/create-merchant.ts --merc-no ORG1520825458796 --name "Shop" [--notify-schedule 10s,10s,10s,10s,10s]
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'merc-no': { type: 'string' }, name: { type: 'string' }, 'notify-schedule': { type: 'string' } } });
  const url = process.env.DATABASE_URL;
  if (!url || !values['merc-no']) throw new Error('usage: DATABASE_URL=… tsx scripts/create-merchant.ts --merc-no NO [--name NAME] [--notify-schedule 10s,10s]');
  const pool = createPool(url, 1);
  try {
    await migrate(pool);
    if (await findMerchant(pool, values['merc-no'])) throw new Error(`merchant ${values['merc-no']} exists already`);
    const m = await createMerchant(pool, {
      mercNo: values['merc-no'],
      name: values.name ?? values['merc-no'],
      ...(values['notify-schedule'] ? { notifyScheduleMs: parseSchedule(values['notify-schedule']) } : {}),
    });
    console.log(`mercNo ${m.mercNo}\nkey    ${m.signKey}`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`create-merchant: ${(err as Error).message}`);
  process.exit(1);
});
