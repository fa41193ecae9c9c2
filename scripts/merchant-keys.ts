import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import { createPool } from '../db/pool';
import { migrate } from '../db/migrate';
import { findMerchant } from '../db/merchants';
import { resealMerchantKeys } from '../db/merchant-keys';
import { rotateKey } from '../merchants/rotate-key';
import { setSignTypes } from '../merchants/settings';
import { userInfo } from 'node:os';
import { resealChannelAccounts } from '../channels/registry';
import { parseDuration } from '../domain/durations';
import { MODES, type Mode } from '../domain/mode';
import { parseSignTypes } from './merchant-keys-args';
import { assertNewKeyFile, writeKeyFile } from './key-file';

/**
 * Operator tool for merchant keys (DATABASE_URL and MASTER_KEYS as the services have them). rotate and sign-types
 * are the admin API's use cases (merchants/), audited as `script:<OS user>`; `npm run admin` does them over HTTP.
 *   rotate <mercNo> --mode live|test [--overlap 24h] [--key-file PATH]
 *       a new key of that mode becomes current; the old one keeps verifying for the overlap (0 = revoked now).
 *       The new key goes once into a new 0600 file, never to stdout.
 *   sign-types <mercNo> HMAC-SHA256-RAW[,HMAC-SHA256,MD5]     which sign types the merchant's requests may use
 *   rekey                  seals every merchant and channel key under the first MASTER_KEYS entry (after adding a
 *                          new master key first, or for rows stored before MASTER_KEYS was set)
 */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { mode: { type: 'string' }, overlap: { type: 'string' }, 'key-file': { type: 'string' } },
  });
  const [command, mercNo, arg] = positionals;
  const config = loadConfig(process.env);
  const pool = createPool(config.databaseUrl, 1);
  try {
    await migrate(pool);
    if (command === 'rekey') {
      if (!config.secrets.keyring.current) throw new Error('MASTER_KEYS (or MASTER_KEYS_FILE) is not set: nothing to seal with');
      const merchants = await resealMerchantKeys(pool, config.secrets.keyring);
      const channels = Object.entries(await resealChannelAccounts(pool, config.secrets.keyring)).map(([name, n]) => `${n} ${name} account keys`);
      console.log(`sealed under master key ${config.secrets.keyring.current.id}: ${[`${merchants} merchant keys`, ...channels].join(', ')}`);
      return;
    }
    // The same use cases as the admin API (merchants/), audited as `script:<OS user>`.
    const env = { pool, keyring: config.secrets.keyring };
    const actor = `script:${userInfo().username}`;
    if (!mercNo || !(await findMerchant(pool, mercNo))) throw new Error(`usage: rotate|sign-types <mercNo> …, rekey (merchant ${mercNo ?? '?'} not found)`);
    if (command === 'rotate') {
      const mode = values.mode as Mode;
      if (!(MODES as readonly string[]).includes(mode)) throw new Error('--mode must be live or test');
      const overlapMs = values.overlap === '0' ? 0 : parseDuration(values.overlap ?? '24h');
      const keyFile = resolve(values['key-file'] ?? `${mercNo}.${mode}-key.json`);
      assertNewKeyFile(keyFile);
      const key = await rotateKey(env, mercNo, mode, overlapMs, actor, Date.now());
      writeKeyFile(keyFile, { mercNo, mode, keyId: key.keyId, key: key.key });
      console.log(`merchant ${mercNo}: new ${mode} key ${key.keyId} in ${keyFile} (mode 0600); the previous ${mode} key verifies for ${values.overlap ?? '24h'} more`);
      return;
    }
    if (command === 'sign-types') {
      const types = parseSignTypes(arg ?? '');
      await setSignTypes(env, mercNo, types, actor);
      console.log(`merchant ${mercNo}: sign types ${types.join(', ')}`);
      return;
    }
    throw new Error(`unknown command ${command ?? '(none)'}: rotate, sign-types or rekey`);
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(`merchant-keys: ${(err as Error).message}`);
  process.exit(1);
});
