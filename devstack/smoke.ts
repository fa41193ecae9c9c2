/**
 * Self-check of the embedded stack: `npx tsx devstack/smoke.ts`.
 * Starts Temporal (SQLite file + Web UI) and PostgreSQL in a temp dir, writes a row and a workflow, stops both,
 * starts both again on the same files and reads them back; then runs two Temporal servers at once.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { SA, SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';
import { freePort } from './paths';
import { startPostgres, type PostgresHandle } from './postgres';
import { startTemporalServer, type TemporalServerHandle } from './temporal-server';

const log = (m: string): void => console.log(`  · ${m}`);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await fn();
  console.log(`${label} ready in ${Date.now() - started} ms`);
  return result;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`smoke check failed: ${message}`);
}

async function withPg<T>(url: string, fn: (db: PgClient) => Promise<T>): Promise<T> {
  const db = new PgClient({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

async function withTemporal<T>(server: TemporalServerHandle, fn: (client: Client, conn: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await fn(new Client({ connection, namespace: server.namespace }), connection);
  } finally {
    await connection.close();
  }
}

async function round(n: number, dbFile: string, pgDir: string, workflowId: string): Promise<void> {
  console.log(`\n== round ${n} ==`);
  const uiPort = await freePort();
  let temporal: TemporalServerHandle | undefined;
  let postgres: PostgresHandle | undefined;
  try {
    // Started one after the other so the timings are not skewed by sharing 2 cores.
    temporal = await timed('temporal', () => startTemporalServer({ dbFile, uiPort, log }));
    postgres = await timed('postgres', () => startPostgres({ dataDir: pgDir, log }));
    console.log(`temporal ${temporal.address} (namespace ${temporal.namespace}), UI ${temporal.uiUrl}`);
    console.log(`postgres ${postgres.url}`);

    const ui = await fetch(temporal.uiUrl ?? '');
    check(ui.ok, `Web UI answered ${ui.status}`);

    const rows = await withPg(postgres.url, async (db) => {
      check((await db.query('SELECT 1 AS one')).rows[0]?.one === 1, 'select 1');
      await db.query('CREATE TABLE IF NOT EXISTS smoke (round INT NOT NULL)');
      await db.query('INSERT INTO smoke (round) VALUES ($1)', [n]);
      return (await db.query('SELECT count(*)::int AS c FROM smoke')).rows[0]?.c as number;
    });
    console.log(`select 1 ok; smoke table has ${rows} row(s)`);
    check(rows === n, `expected ${n} rows after round ${n} (persistence)`);

    await withTemporal(temporal, async (client, conn) => {
      const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace: temporal?.namespace });
      const names = Object.keys(customAttributes ?? {}).filter((k) => k in SEARCH_ATTRIBUTE_DEFINITIONS);
      console.log(`search attributes: ${names.sort().join(', ')}`);
      check(names.length === Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS).length, 'all custom search attributes');

      if (n === 1) {
        // No worker needed: the execution just waits for its first workflow task.
        await client.workflow.start('SmokeWorkflow', {
          taskQueue: 'smoke',
          workflowId,
          typedSearchAttributes: [{ key: SA.orderId, value: 'smoke-order' }],
        });
        console.log(`started workflow ${workflowId}`);
      } else {
        const handle = client.workflow.getHandle(workflowId);
        const description = await handle.describe();
        console.log(`workflow ${workflowId} survived the restart: ${description.status.name}`);
        await handle.terminate('smoke test done');
      }
    });
  } finally {
    await temporal?.stop();
    await postgres?.stop();
    console.log('stopped both');
  }
}

async function concurrentTemporal(): Promise<void> {
  console.log('\n== two Temporal servers at once ==');
  const servers = await timed('two in-memory temporal servers', () =>
    Promise.all([startTemporalServer({ log }), startTemporalServer({ log })]),
  );
  try {
    check(servers[0]?.address !== servers[1]?.address, 'distinct addresses');
    for (const server of servers) {
      await withTemporal(server, async (_client, conn) => {
        await conn.workflowService.getSystemInfo({});
      });
      console.log(`  ${server.address} answers`);
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function main(): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'paydurable-smoke-'));
  const dbFile = path.join(tmp, 'temporal.db');
  const pgDir = path.join(tmp, 'pg');
  const workflowId = `smoke-${Date.now()}`;
  try {
    await round(1, dbFile, pgDir, workflowId);
    await round(2, dbFile, pgDir, workflowId);
    await concurrentTemporal();
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  console.log('\nsmoke OK');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
