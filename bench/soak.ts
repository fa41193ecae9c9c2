import { Client, Connection } from '@temporalio/client';
import { placeOrder, payInSandbox, type Merchant } from './client';
import type { BenchReceiver } from './receiver';
import { round, sampleProcess } from './proc-stats';
import { Progress, runPool } from './progress';

export interface SoakResult {
  requestedOrders: number;
  openOrders: number;
  /** Why fewer than requested were opened (the system stopped answering unified orders in time), if so. */
  openStoppedBy: string | null;
  createSeconds: number;
  holdSeconds: number;
  workerRssMiB: { atOpen: number; atEnd: number; peak: number; growthMiBPerMin: number };
  channelQueriesPerSecond: number | null;
  queryBudgetPerSecond: number;
  closeOutSeconds: number;
  leftRunning: number;
}

/**
 * Open-orders soak: K orders left open (long expiry, polling on) for a fixed time while the worker's memory and the
 * channel query rate are sampled; then every order is paid and the run checks that no workflow is left running.
 */
export async function runSoak(opts: {
  apiUrl: string; temporalAddress: string; merchant: Merchant; receiver: BenchReceiver; orders: number;
  concurrency: number; holdSeconds: number; createLimitSeconds: number; workerPid: number | null; runId: string;
  channelQueries: () => Promise<number | null>;
}): Promise<SoakResult> {
  const orderIds: string[] = [];
  const codeUrls: string[] = [];
  const createStart = performance.now();
  const creating = new Progress('soak open ', opts.orders);
  let stoppedBy: string | null = null;
  const deadline = createStart + opts.createLimitSeconds * 1000;
  await runPool(opts.orders, opts.concurrency, async (i) => {
    if (stoppedBy !== null) return;
    if (performance.now() > deadline) {
      stoppedBy = `opening took longer than ${opts.createLimitSeconds} s`;
      return;
    }
    try {
      const answer = await placeOrder(opts.apiUrl, opts.merchant, `${opts.runId}S${i}`, opts.receiver.url, 1440);
      orderIds.push(answer.orderId!);
      codeUrls.push(answer.codeUrl!);
      creating.update(orderIds.length);
    } catch (err) {
      stoppedBy ??= (err as Error).message;
    }
  });
  creating.end();
  const createSeconds = (performance.now() - createStart) / 1000;

  const rss = () => (opts.workerPid ? (sampleProcess(opts.workerPid)?.rssBytes ?? 0) / 1048576 : 0);
  const atOpen = rss();
  let peak = atOpen;
  const queriesBefore = await opts.channelQueries();
  const holdStart = performance.now();
  const holding = new Progress('soak hold ', opts.holdSeconds);
  for (let s = 1; s <= opts.holdSeconds; s++) {
    await new Promise((r) => setTimeout(r, 1000)); // a fixed observation window, sampled once a second
    peak = Math.max(peak, rss());
    holding.update(s, `worker RSS ${round(rss(), 0)} MiB`);
  }
  holding.end();
  const holdSeconds = (performance.now() - holdStart) / 1000;
  const queriesAfter = await opts.channelQueries();
  const atEnd = rss();

  const closeStart = performance.now();
  const paying = new Progress('soak pay  ', orderIds.length);
  let paid = 0;
  await runPool(orderIds.length, opts.concurrency, async (i) => {
    await payInSandbox(opts.apiUrl, codeUrls[i]!);
    await opts.receiver.waitFor(orderIds[i]!, 300_000);
    paying.update(++paid);
  });
  paying.end();
  const leftRunning = await runningWorkflows(opts.temporalAddress, opts.merchant.mercNo);
  return {
    requestedOrders: opts.orders,
    openOrders: orderIds.length,
    openStoppedBy: stoppedBy,
    createSeconds: round(createSeconds, 1),
    holdSeconds: round(holdSeconds, 1),
    workerRssMiB: { atOpen: round(atOpen, 1), atEnd: round(atEnd, 1), peak: round(peak, 1), growthMiBPerMin: round(((atEnd - atOpen) / holdSeconds) * 60, 2) },
    channelQueriesPerSecond: queriesBefore !== null && queriesAfter !== null ? round((queriesAfter - queriesBefore) / holdSeconds, 1) : null,
    queryBudgetPerSecond: round(orderIds.length / 30, 1),
    closeOutSeconds: round((performance.now() - closeStart) / 1000, 1),
    leftRunning,
  };
}

/** Order workflows of the merchant still running, polled until zero or 60 s (visibility is eventually consistent). */
async function runningWorkflows(address: string, mercNo: string): Promise<number> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  let count = -1;
  for (let i = 0; i < 120 && count !== 0; i++) {
    count = (await client.workflow.count(`MercNo = "${mercNo}" AND ExecutionStatus = "Running"`)).count;
    if (count !== 0) await new Promise((r) => setTimeout(r, 500));
  }
  await connection.close();
  return count;
}
