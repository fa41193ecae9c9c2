import { bootProcess, runProcess } from '../config/boot';
import { startApi } from './server';
import { onStopSignal } from '../config/stop-signals';

/** API process: stateless; scale by running more of these behind a load balancer. */
async function main(): Promise<void> {
  const { config, log, pool } = await bootProcess('api', { poolSize: (c) => c.pgPoolMax });
  const api = await startApi({ config, pool, log });
  log.info({ url: api.url, adminUrl: api.adminUrl }, 'api listening (merchant and admin listeners)');
  process.send?.({ ready: 'api', url: api.url, adminUrl: api.adminUrl });
  onStopSignal(async () => {
    await api.stop();
    await pool.end();
    process.exit(0);
  });
}

runProcess('api', main);
