import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../devstack/paths';

// `npm run chaos` stopped with Ctrl-C mid-run leaves no run directory behind (a full run's is gigabytes of
// PostgreSQL and Temporal files).
describe('chaos run interrupted', () => {
  it('Ctrl-C once the load runs: exits 130 and removes the run directory', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'chaos/run.ts'), '--orders', '100000', '--faults', 'none'], { cwd: repoRoot });
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (/\[chaos\] load: \d+\/100000 started/.test(stderr)) resolve();
      });
      void exited.then(() => reject(new Error(`the chaos run exited before its load: ${stderr.slice(-2000)}`)));
    });
    const dir = /run dir (\S+) \(logs/.exec(stderr)?.[1];
    expect(dir, stderr.slice(-2000)).toBeDefined();
    expect(existsSync(join(dir!, 'logs'))).toBe(true);
    child.kill('SIGINT');
    const end = await exited;
    expect(end, stderr.slice(-2000)).toEqual({ code: 130, signal: null });
    expect(existsSync(dir!)).toBe(false);
  }, 240_000);
});
