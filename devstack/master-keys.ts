import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataDir } from './paths';
import { newMasterKeyText, parseMasterKeys, type Keyring } from '../secrets/keyring';

/**
 * `npm start`: the master key that seals the local stack's merchant and channel keys. MASTER_KEYS / MASTER_KEYS_FILE
 * from the environment when set; otherwise one generated on the first start into .data/master-keys (mode 0600), so
 * the sealed keys open again after a restart.
 */
export function ensureLocalMasterKeys(env: NodeJS.ProcessEnv): { env: Record<string, string>; keyring: Keyring } {
  if (env.MASTER_KEYS) return { env: { MASTER_KEYS: env.MASTER_KEYS }, keyring: parseMasterKeys(env.MASTER_KEYS) };
  const file = env.MASTER_KEYS_FILE ?? join(dataDir, 'master-keys');
  if (!env.MASTER_KEYS_FILE && !existsSync(file)) writeFileSync(file, `${newMasterKeyText('local1')}\n`, { mode: 0o600, flag: 'wx' });
  return { env: { MASTER_KEYS_FILE: file }, keyring: parseMasterKeys(readFileSync(file, 'utf8')) };
}
