import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrateWhenReachable } from '../../db/migrate';
import type { Pool } from '../../db/pool';

// A starting process waits for PostgreSQL with backoff (bounded), and gives up at once on any other error.
const files = readdirSync(join(__dirname, '../../db/migrations')).filter((f) => f.endsWith('.sql'));

function fakePool(failures: { code?: string; message: string }[]) {
  let connects = 0;
  const pool = {
    async connect() {
      connects++;
      const next = failures.shift();
      if (next) throw Object.assign(new Error(next.message), next.code ? { code: next.code } : {});
      return {
        on() {}, off() {}, release() {},
        async query(sql: string) {
          return { rows: sql.startsWith('SELECT name') ? files.map((name) => ({ name })) : [] };
        },
      };
    },
  };
  return { pool: pool as unknown as Pool, connects: () => connects };
}

describe('migrateWhenReachable', () => {
  it('waits while the database refuses or is starting up, then migrates', async () => {
    const { pool, connects } = fakePool([{ code: 'ECONNREFUSED', message: 'refused' }, { code: '57P03', message: 'the database system is starting up' }]);
    const waits: string[] = [];
    const slept: number[] = [];
    const applied = await migrateWhenReachable(pool, {
      timeoutMs: 60_000, onWait: (e) => waits.push(e.message), sleep: async (ms) => void slept.push(ms),
    });
    expect(applied).toEqual([]);
    expect(connects()).toBe(3);
    expect(waits).toEqual(['refused', 'the database system is starting up']);
    expect(slept).toEqual([100, 200]);
  });

  it('gives up with the last error once the wait is over', async () => {
    const { pool } = fakePool(Array.from({ length: 100 }, () => ({ code: 'ECONNREFUSED', message: 'refused' })));
    await expect(migrateWhenReachable(pool, { timeoutMs: 50, sleep: async () => new Promise((r) => setTimeout(r, 20)) })).rejects.toThrow('refused');
  });

  it('does not wait on an error that is not about reachability (a bad migration, bad credentials)', async () => {
    const { pool, connects } = fakePool([{ code: '28P01', message: 'password authentication failed' }]);
    await expect(migrateWhenReachable(pool, { timeoutMs: 60_000, sleep: async () => undefined })).rejects.toThrow('password');
    expect(connects()).toBe(1);
  });
});
