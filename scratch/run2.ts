import { spawn } from 'node:child_process';
import { Worker, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
Runtime.install({ logger: new DefaultLogger('WARN') });
(async () => {
  const extra = process.argv.slice(2);
  const p = spawn('/work/main/.tools/temporal-cli/v1.5.1/temporal', ['server', 'start-dev', '--headless', '--port', '7399', '--log-level', 'warn', ...extra], { stdio: 'inherit' });
  let conn;
  for (;;) { try { conn = await Connection.connect({ address: '127.0.0.1:7399' }); await conn.workflowService.getSystemInfo({}); break; } catch { await new Promise(r => setTimeout(r, 200)); } }
  const nc = await NativeConnection.connect({ address: '127.0.0.1:7399' });
  const w = await Worker.create({ connection: nc, taskQueue: 'tt', workflowsPath: '/work/main/scratch/wf.ts' });
  const c = new Client({ connection: conn });
  await w.runUntil(async () => {
    const r = await c.workflow.execute('sleeper', { taskQueue: 'tt', workflowId: 'x' + Date.now(), args: [50, 6] });
    console.log('inner', r);
  });
  p.kill(); process.exit(0);
})();
