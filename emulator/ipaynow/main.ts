import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startIpaynowEmulator } from '.';

/**
 * `npm run emulator:ipaynow -- [--port 8090] [--app-id ID] [--app-key KEY] [--notify-scale 1]`
 * (or IPAYNOW_EMULATOR_PORT, IPAYNOW_APP_ID, IPAYNOW_APP_KEY, IPAYNOW_EMULATOR_NOTIFY_SCALE). Without an app key a
 * random one is made up and printed: give the same appId/key to the platform (IPAYNOW_APP_ID/IPAYNOW_APP_KEY) and
 * point IPAYNOW_BASE_URL at the printed URL.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' }, 'app-id': { type: 'string' }, 'app-key': { type: 'string' }, 'notify-scale': { type: 'string' },
      host: { type: 'string' },
    },
  });
  const env = process.env;
  const port = Number(values.port ?? env.IPAYNOW_EMULATOR_PORT ?? 8090);
  const scale = Number(values['notify-scale'] ?? env.IPAYNOW_EMULATOR_NOTIFY_SCALE ?? 1);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port ${port}`);
  if (!(scale > 0)) throw new Error(`invalid notify scale ${scale}`);
  const appId = values['app-id'] ?? env.IPAYNOW_APP_ID ?? 'EMU0000000000001';
  const givenKey = values['app-key'] ?? env.IPAYNOW_APP_KEY;
  const appKey = givenKey ?? randomBytes(16).toString('hex');
  const emulator = await startIpaynowEmulator({
    port, host: values.host ?? '127.0.0.1', apps: { [appId]: appKey }, notifyScale: scale,
    log: (line) => console.log(`[ipaynow-emulator] ${line}`),
  });
  console.log(`IPayNow emulator listening on ${emulator.url}  (appId ${appId}${givenKey ? '' : `, made-up appKey ${appKey}`})`);
  console.log(`  platform: IPAYNOW_BASE_URL=${emulator.url} IPAYNOW_APP_ID=${appId} IPAYNOW_APP_KEY=<the key>`);
  console.log(`  pay an order: curl -X POST ${emulator.url}/_emulator/pay -d mhtOrderNo=<orderId>`);
  const stop = () => void emulator.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`ipaynow emulator: ${(err as Error).message}`);
  process.exit(1);
});
