import { existsSync, writeFileSync } from 'node:fs';

/** Refuses a key file that exists already (keys are handed over once, never overwritten). */
export function assertNewKeyFile(path: string): void {
  if (existsSync(path)) throw new Error(`${path} exists already; pass another --key-file`);
}

/** Writes keys once into a new file readable by its owner only ('wx': never overwriting; 0600). */
export function writeKeyFile(path: string, content: Record<string, unknown>): void {
  writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
