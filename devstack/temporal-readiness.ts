import net from 'node:net';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../workflows/search-attributes';

const POLL_MS = 200;

/** What a readiness wait checks between polls: throws when the server process died or the time is up. */
export type ReadinessCheck = () => void;

export function readinessDeadline(timeoutMs: number, exitReason: () => string | null): ReadinessCheck {
  const deadline = Date.now() + timeoutMs;
  return () => {
    const reason = exitReason();
    if (reason !== null) throw new Error(`process ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
  };
}

/** Polls until `address` (host:port) accepts TCP connections. */
export async function waitForPort(address: string, check: ReadinessCheck): Promise<void> {
  const [host = '127.0.0.1', portText = ''] = address.split(':');
  while (!(await tcpAccepts(host, Number(portText)))) {
    check();
    await sleep(POLL_MS);
  }
}

/**
 * Calls `step` with a connection until it resolves, polling every 200 ms; `check` ends the wait (timeout, dead
 * process) with the last problem seen. The connection is closed afterwards.
 */
export async function pollWithConnection<T>(address: string, check: ReadinessCheck, step: (c: Connection) => Promise<T | undefined>): Promise<T> {
  let connection: Connection | null = null;
  let lastProblem = 'no answer yet';
  try {
    for (;;) {
      try {
        check();
      } catch (err) {
        throw new Error(`${(err as Error).message} (${lastProblem})`);
      }
      try {
        connection ??= await connectOrClose(address);
        const conn = connection;
        const result = await conn.withDeadline(Date.now() + 5000, () => step(conn));
        if (result !== undefined) return result;
        lastProblem = 'not ready yet';
      } catch (err) {
        lastProblem = (err as Error).message;
      }
      await sleep(POLL_MS);
    }
  } finally {
    await connection?.close();
  }
}

/**
 * Ready = the port accepts, the namespace is described, all custom search attributes are listed, and a visibility
 * query in the namespace is answered (the frontend's namespace cache knows it: a new namespace takes seconds).
 */
export async function waitTemporalReady(address: string, namespace: string, check: ReadinessCheck): Promise<void> {
  await waitForPort(address, check);
  const wanted = Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS);
  await pollWithConnection(address, check, async (conn) => {
    await conn.workflowService.describeNamespace({ namespace });
    const { customAttributes } = await conn.operatorService.listSearchAttributes({ namespace });
    const missing = wanted.filter((name) => !customAttributes?.[name]);
    if (missing.length > 0) throw new Error(`search attributes not visible yet: ${missing.join(', ')}`);
    await conn.workflowService.countWorkflowExecutions({ namespace, query: `${wanted[0]} = "readiness"` });
    return true;
  });
}

/** Like `Connection.connect`, but closes the gRPC channel on failure (connect() leaks it, keeping Node alive). */
async function connectOrClose(address: string): Promise<Connection> {
  const connection = Connection.lazy({ address, connectTimeout: 2000 });
  try {
    await connection.ensureConnected();
    return connection;
  } catch (err) {
    await connection.close();
    throw err;
  }
}

export function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
