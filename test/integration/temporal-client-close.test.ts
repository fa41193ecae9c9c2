import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectivityState, type Client as GrpcClient } from '@grpc/grpc-js';
import { connectTemporalClient } from '../../temporal/client-connection';
import { eventually } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';

// A call still retrying when its process closes the Temporal connection (an order start the merchant was answered
// 999999 for, Temporal unreachable) ends as a rejected call: no "Channel has been shut down" thrown from the retry's
// timer (an uncaught exception, which failed the test run that met it).
let proxy: TcpProxy;
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);

beforeAll(async () => {
  proxy = await new TcpProxy(inject('temporalAddress')).start();
  process.on('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await proxy?.stop();
});

describe('closing a Temporal client connection', () => {
  it('ends a call that is waiting to retry as CANCELLED, and nothing is thrown from its timer', async () => {
    const client = await connectTemporalClient({ address: proxy.address });
    await client.connection.workflowService.getSystemInfo({});
    await proxy.cut();

    let settled = false;
    const call = client.connection.workflowService.getSystemInfo({}).finally(() => { settled = true; });
    const outcome = call.then(() => 'answered', (err: unknown) => err as { code?: number });
    // The first attempt has failed (the channel is in TRANSIENT_FAILURE): the call now waits on its retry timer.
    const channel = (client.connection as unknown as { client: GrpcClient }).client.getChannel(); // protected in Connection
    await eventually(async () => channel.getConnectivityState(false) === connectivityState.TRANSIENT_FAILURE, 10_000, 'the unreachable server seen');
    expect(settled).toBe(false);

    await client.close();
    const ended = await eventually(async () => (settled ? await outcome : null), 30_000, 'the retrying call ended');
    expect(ended).toMatchObject({ code: 1 }); // CANCELLED
    expect(uncaught).toEqual([]);
  });

  it('a call made after the close is refused the same way', async () => {
    const client = await connectTemporalClient({ address: inject('temporalAddress') });
    await client.close();
    await expect(client.connection.workflowService.getSystemInfo({})).rejects.toMatchObject({ code: 1 });
  });
});
