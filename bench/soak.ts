import { Client, Connection } from '@temporalio/client';
import { placeOrder, payInSandbox, type Merchant } from './client';
import type { BenchReceiver } from './receiver';
import { percentile, round, sampleProcess } from './proc-stats';
import { Progress, runPool } from './progress';
import { measureDisk, type DiskUse } from './disk';

type RssFigures = { atOpen: number; atEnd: number; peak: number; growthMiBPerMin: number };
type ProbeLatency = { orders: number; p50: number; p99: number };

export interface SoakResult {
  requestedOrders: number;
  openOrders: number;
  /** Why fewer than requested were opened (the system stopped answering unified orders in time), if so. */
  openStoppedBy: string | null;
  createSeconds: number;
  holdSeconds: number;
  workerRssMiB: RssFigures;
  apiRssMiB: RssFigures;
  /** The poller process's, when one runs (LOCAL_POLLER=process). */
  pollerRssMiB: RssFigures | null;
  /** Worker RSS with the orders open (end of the hold) minus before opening, per open order, in KiB. */
  workerRssKiBPerOrder: number;
  channelQueriesPerSecond: number | null;
  queryBudgetPerSecond: number;
  /** Channel queries per second per open order (the budget is 1/30 ≈ 0.0333). */
  channelQueriesPerSecondPerOrder: number | null;
  /**
   * Unified-order latency of N sequential orders (each paid and notified afterwards) with none of the soak's orders
   * open, and again with all of them open (after the hold); the target is p99 open ≤ 2 × p99 none open. When the
   * poller is a process of its own, a third probe with all open runs while it is stopped (SIGSTOP, then SIGCONT):
   * the share of the all-open tail that is polling's.
   */
  unifiedOrderProbeMs: {
    noneOpen: ProbeLatency; allOpen: ProbeLatency; p99Ratio: number;
    allOpenPollerStopped: (ProbeLatency & { p99Ratio: number }) | null;
  } | null;
  /** Disk of Temporal and of our database: before opening, with all open (end of the hold), after close-out. */
  diskBytes: { before: DiskUse; open: DiskUse; afterCloseOut: DiskUse };
  /** (open − before) / open orders, in bytes. */
  diskBytesPerOrder: { temporal: number; postgres: number };
  closeOutSeconds: number;
  leftRunning: number;
}

/**
 * Open-orders soak: K orders left open (long expiry, polling on) for a fixed time while the worker's memory and the
 * channel query rate are sampled; then every order is paid and the run checks that no workflow is left running.
 */
export async function runSoak(opts: {
  apiUrl: string; temporalAddress: string; merchant: Merchant; receiver: BenchReceiver; orders: number;
  concurrency: number; holdSeconds: number; createLimitSeconds: number; workerPid: number | null; apiPid: number | null; pollerPid?: number | null;
  runId: string; probeOrders: number; databaseUrl: string; temporalDbFile: string | null;
  channelQueries: () => Promise<number | null>;
  /** Progress lines; the figures of the hold are logged before close-out, so a long soak's main result is not lost with a late failure. */
  log?: (m: string) => void;
}): Promise<SoakResult> {
  const rssOf = (pid: number | null) => () => (pid ? (sampleProcess(pid)?.rssBytes ?? 0) / 1048576 : 0);
  const rss = rssOf(opts.workerPid);
  const apiRss = rssOf(opts.apiPid);
  const pollerRss = rssOf(opts.pollerPid ?? null);
  const probe = (tag: string) => probeUnifiedOrders(opts, `${opts.runId}${tag}`);
  const noneOpen = opts.probeOrders > 0 ? await probe('P') : null;
  const diskBefore = await measureDisk(opts.databaseUrl, opts.temporalDbFile);
  const workerBefore = rss();

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

  const atOpen = rss();
  let peak = atOpen;
  const apiAtOpen = apiRss();
  let apiPeak = apiAtOpen;
  const pollerAtOpen = pollerRss();
  let pollerPeak = pollerAtOpen;
  const queriesBefore = await opts.channelQueries();
  const holdStart = performance.now();
  const holding = new Progress('soak hold ', opts.holdSeconds);
  for (let s = 1; s <= opts.holdSeconds; s++) {
    await new Promise((r) => setTimeout(r, 1000)); // a fixed observation window, sampled once a second
    const now = rss();
    peak = Math.max(peak, now);
    apiPeak = Math.max(apiPeak, apiRss());
    pollerPeak = Math.max(pollerPeak, pollerRss());
    holding.update(s, `worker RSS ${round(now, 0)} MiB`);
  }
  holding.end();
  const holdSeconds = (performance.now() - holdStart) / 1000;
  const queriesAfter = await opts.channelQueries();
  const atEnd = rss();
  const apiAtEnd = apiRss();
  const pollerAtEnd = pollerRss();
  const diskOpen = await measureDisk(opts.databaseUrl, opts.temporalDbFile);
  const allOpen = opts.probeOrders > 0 ? await probe('Q') : null;
  const pollerStopped = opts.probeOrders > 0 && opts.pollerPid ? await whileStopped(opts.pollerPid, () => probe('R')) : null;
  opts.log?.(`soak: figures with all ${orderIds.length} open: ${JSON.stringify({
    workerRssMiB: { atOpen: round(atOpen, 1), atEnd: round(atEnd, 1), peak: round(peak, 1) },
    ...(opts.pollerPid ? { pollerRssMiB: { atOpen: round(pollerAtOpen, 1), atEnd: round(pollerAtEnd, 1), peak: round(pollerPeak, 1) } } : {}),
    channelQueries: { before: queriesBefore, after: queriesAfter },
    unifiedOrderProbeMs: { noneOpen, allOpen, allOpenPollerStopped: pollerStopped },
    diskBytes: { before: diskBefore, open: diskOpen },
  })}; closing out…`);

  const closeStart = performance.now();
  const paying = new Progress('soak pay  ', orderIds.length);
  let paid = 0;
  await runPool(orderIds.length, opts.concurrency, async (i) => {
    await payInSandbox(opts.apiUrl, codeUrls[i]!);
    await opts.receiver.waitFor(orderIds[i]!, 300_000);
    paying.update(++paid);
  });
  paying.end();
  const closeOutSeconds = (performance.now() - closeStart) / 1000;
  const leftRunning = await runningWorkflows(opts.temporalAddress, opts.merchant.mercNo);
  const diskAfter = await measureDisk(opts.databaseUrl, opts.temporalDbFile);
  const open = Math.max(1, orderIds.length);
  const queriesPerSecond = queriesBefore !== null && queriesAfter !== null ? (queriesAfter - queriesBefore) / holdSeconds : null;
  const rssFigures = (a: number, b: number, p: number): RssFigures => ({
    atOpen: round(a, 1), atEnd: round(b, 1), peak: round(p, 1), growthMiBPerMin: round(((b - a) / holdSeconds) * 60, 2),
  });
  return {
    requestedOrders: opts.orders,
    openOrders: orderIds.length,
    openStoppedBy: stoppedBy,
    createSeconds: round(createSeconds, 1),
    holdSeconds: round(holdSeconds, 1),
    workerRssMiB: rssFigures(atOpen, atEnd, peak),
    apiRssMiB: rssFigures(apiAtOpen, apiAtEnd, apiPeak),
    pollerRssMiB: opts.pollerPid ? rssFigures(pollerAtOpen, pollerAtEnd, pollerPeak) : null,
    workerRssKiBPerOrder: round(((atEnd - workerBefore) * 1024) / open, 1),
    channelQueriesPerSecond: queriesPerSecond === null ? null : round(queriesPerSecond, 1),
    queryBudgetPerSecond: round(orderIds.length / 30, 1),
    channelQueriesPerSecondPerOrder: queriesPerSecond === null ? null : round(queriesPerSecond / open, 5),
    unifiedOrderProbeMs: noneOpen && allOpen
      ? {
        noneOpen, allOpen, p99Ratio: round(allOpen.p99 / noneOpen.p99, 2),
        allOpenPollerStopped: pollerStopped ? { ...pollerStopped, p99Ratio: round(pollerStopped.p99 / noneOpen.p99, 2) } : null,
      }
      : null,
    diskBytes: { before: diskBefore, open: diskOpen, afterCloseOut: diskAfter },
    diskBytesPerOrder: {
      temporal: Math.round((diskOpen.temporalBytes - diskBefore.temporalBytes) / open),
      postgres: Math.round((diskOpen.postgresBytes - diskBefore.postgresBytes) / open),
    },
    closeOutSeconds: round(closeOutSeconds, 1),
    leftRunning,
  };
}

/**
 * N unified orders one after another (what one merchant client feels, without queueing behind the benchmark's own
 * load); afterwards each is paid and its notification awaited, so the probe leaves nothing open.
 */
async function probeUnifiedOrders(
  opts: { apiUrl: string; merchant: Merchant; receiver: BenchReceiver; probeOrders: number; concurrency: number },
  prefix: string,
): Promise<ProbeLatency> {
  const latencies: number[] = [];
  const answers: Record<string, string>[] = [];
  const progress = new Progress(`probe ${prefix.slice(-1)}   `, opts.probeOrders);
  for (let i = 0; i < opts.probeOrders; i++) {
    const t0 = performance.now();
    answers.push(await placeOrder(opts.apiUrl, opts.merchant, `${prefix}${i}`, opts.receiver.url, 1440));
    latencies.push(performance.now() - t0);
    progress.update(i + 1);
  }
  progress.end();
  await runPool(answers.length, opts.concurrency, async (i) => {
    await payInSandbox(opts.apiUrl, answers[i]!.codeUrl!);
    await opts.receiver.waitFor(answers[i]!.orderId!, 300_000);
  });
  latencies.sort((a, b) => a - b);
  return { orders: latencies.length, p50: round(percentile(latencies, 50), 1), p99: round(percentile(latencies, 99), 1) };
}

/**
 * Runs `work` while process `pid` is stopped (SIGSTOP), and continues it afterwards however `work` ends, or when the
 * bench exits meanwhile (a stopped process would not act on the SIGTERM the stack's clean-up sends it).
 */
async function whileStopped<T>(pid: number, work: () => Promise<T>): Promise<T> {
  const resume = () => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
  };
  process.kill(pid, 'SIGSTOP');
  process.once('exit', resume);
  try {
    return await work();
  } finally {
    process.off('exit', resume);
    resume();
  }
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
