import { startTemporalServer } from '/work/main/devstack/temporal-server';
import { Worker, NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { Client, Connection } from '@temporalio/client';
Runtime.install({ logger: new DefaultLogger('WARN') });
(async () => {
  const s = await startTemporalServer({ uiPort: null });
  const nc = await NativeConnection.connect({ address: s.address });
  const w = await Worker.create({ connection: nc, taskQueue: 'tt', workflowsPath: '/work/main/scratch/wf.ts' });
  const c = new Client({ connection: await Connection.connect({ address: s.address }) });
  await w.runUntil(async () => {
    const t = Date.now();
    const r = await c.workflow.execute('sleeper', { taskQueue: 'tt', workflowId: 'x' + Date.now(), args: [50, 6] });
    console.log('inner', r, 'total', Date.now() - t);
  });
  await s.stop(); process.exit(0);
})();
