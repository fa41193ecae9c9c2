import type { Pool } from 'pg';
import type { ComponentName, Supervisor } from './supervisor';
import { sleep } from './supervisor';
import type { LoadDriver } from './load';
import type { ChaosReceiver } from './receiver';
import { backlog } from './checker';

/**
 * The fault schedule: which processes are killed with SIGKILL, how long they stay down, and how long the system
 * takes to recover afterwards (the API answers a new order again; every order that was owed something when the
 * fault hit, or became owed during the outage, is settled).
 */
export const FAULTS = {
  worker: { kill: ['worker'], burst: false },
  /** The poller process (LOCAL_POLLER=process; with LOCAL_POLLER=worker the worker is killed in its place). */
  poller: { kill: ['poller'], burst: false },
  temporal: { kill: ['temporal'], burst: false },
  postgres: { kill: ['postgres'], burst: false },
  api: { kill: ['api'], burst: false },
  'worker+temporal': { kill: ['worker', 'temporal'], burst: false },
  /** PostgreSQL killed while a burst of sandbox payments (channel callbacks) is in flight. */
  'postgres-burst': { kill: ['postgres'], burst: true },
} as const satisfies Record<string, { kill: readonly ComponentName[]; burst: boolean }>;
export type FaultName = keyof typeof FAULTS;

/** Every component killed at least twice (worker and Temporal also together), PostgreSQL during callback bursts. */
export const FULL_SCHEDULE: FaultName[] = [
  'worker', 'temporal', 'postgres-burst', 'poller', 'api', 'worker+temporal',
  'api', 'worker', 'postgres-burst', 'poller', 'temporal', 'worker+temporal',
];
/** Each fault once (the `npm test` version). */
export const SHORT_SCHEDULE: FaultName[] = ['worker', 'temporal', 'postgres-burst', 'poller', 'api', 'worker+temporal'];

export function parseFaults(text: string): FaultName[] {
  if (text === 'full') return [...FULL_SCHEDULE];
  if (text === 'short') return [...SHORT_SCHEDULE];
  if (text === 'none' || text === '') return [];
  return text.split(',').map((t) => {
    const name = t.trim();
    if (!(name in FAULTS)) throw new Error(`unknown fault "${name}" (known: ${Object.keys(FAULTS).join(', ')}, or full/short/none)`);
    return name as FaultName;
  });
}

const RESTART_ORDER: ComponentName[] = ['postgres', 'temporal', 'worker', 'poller', 'api'];

export interface Recovery {
  fault: FaultName;
  /** When the kill happened, ms since the run started. */
  atMs: number;
  downMs: number;
  /** Kill until a new unified order was answered 000000 (null: never within the drain timeout). */
  apiMs: number | null;
  /** Kill until every order owed something at the kill or after the restart was settled (null: not within the timeout). */
  drainMs: number | null;
  backlog: number;
  undrained: number;
  undrainedExamples: string[];
  burst?: { orders: number; paysAnsweredBeforeKill: number };
}

export interface FaultContext {
  sup: Supervisor;
  driver: LoadDriver;
  pool: Pool;
  receiver: ChaosReceiver;
  downMs: number;
  drainTimeoutMs: number;
  burstSize: number;
  runStartedMs: number;
  log: (m: string) => void;
}

export async function runFault(fault: FaultName, ctx: FaultContext): Promise<Recovery> {
  const def = FAULTS[fault];
  const owed = new Set<string>(await backlog(ctx.pool, ctx.receiver).catch(() => []));
  const waitFor: Promise<unknown>[] = [];

  let burst: Recovery['burst'];
  if (def.burst) {
    const held = await ctx.driver.placeHeld(ctx.burstSize, 8);
    let answered = 0;
    const pays = held.map((e) => ctx.driver.payHeld(e).then(() => answered++));
    waitFor.push(...pays);
    // Kill while the burst is in flight: after the first few payments were answered (or 300 ms).
    const deadline = Date.now() + 300;
    while (answered < Math.max(1, Math.floor(held.length / 5)) && Date.now() < deadline) await sleep(10);
    burst = { orders: held.length, paysAnsweredBeforeKill: answered };
    for (const e of held) if (e.orderId) owed.add(e.orderId);
  }

  // A component this run does not have as a process (the poller inside the worker) is stood in for by its host.
  const kill = [...new Set(def.kill.map((c) => ctx.sup.hostOf(c)))];
  const killedAt = Date.now();
  await Promise.all(kill.map((c) => ctx.sup.kill(c)));
  ctx.log(`fault ${fault}: killed ${kill.join(' + ')}${burst ? ` during a burst of ${burst.orders} payments (${burst.paysAnsweredBeforeKill} answered)` : ''}`);

  // The probe order is sent at once and retried like any merchant's: its answer marks the API's recovery.
  const probe = ctx.driver.probe();
  let apiAnsweredAt: number | null = null;
  void probe.placed.then(() => {
    if (probe.entry.pay && 'respCode' in probe.entry.pay && probe.entry.pay.respCode === '000000') apiAnsweredAt = Date.now();
  });
  waitFor.push(probe.finished);

  await sleep(ctx.downMs);
  const toStart = RESTART_ORDER.filter((c) => kill.includes(c));
  for (const c of toStart.filter((c) => c === 'postgres' || c === 'temporal')) await startWithRetry(ctx, c);
  await Promise.all(toStart.filter((c) => c !== 'postgres' && c !== 'temporal').map((c) => startWithRetry(ctx, c)));
  const downMs = Date.now() - killedAt;

  // Drain: the orders owed before the kill, plus everything owed once the API answers again.
  const deadline = killedAt + ctx.drainTimeoutMs;
  await Promise.race([probe.placed, sleep(Math.max(0, deadline - Date.now()))]);
  for (const id of await backlog(ctx.pool, ctx.receiver).catch(() => [])) owed.add(id);
  if (probe.entry.orderId) owed.add(probe.entry.orderId);
  let remaining = [...owed];
  let drainedAt: number | null = null;
  const allDone = Promise.allSettled(waitFor);
  let clientDone = false;
  void allDone.then(() => (clientDone = true));
  while (Date.now() < deadline) {
    remaining = await backlog(ctx.pool, ctx.receiver, [...owed]).catch(() => remaining);
    if (remaining.length === 0 && clientDone) {
      drainedAt = Date.now();
      break;
    }
    await sleep(200);
  }
  const recovery: Recovery = {
    fault, atMs: killedAt - ctx.runStartedMs, downMs,
    apiMs: apiAnsweredAt === null ? null : (apiAnsweredAt as number) - killedAt,
    drainMs: drainedAt === null ? null : drainedAt - killedAt,
    backlog: owed.size, undrained: drainedAt === null ? remaining.length : 0, undrainedExamples: drainedAt === null ? remaining.slice(0, 5) : [],
    ...(burst ? { burst } : {}),
  };
  ctx.log(`fault ${fault}: API answering after ${recovery.apiMs ?? 'never'} ms, backlog of ${owed.size} ${drainedAt === null ? `NOT drained (${remaining.length} left)` : `drained after ${recovery.drainMs} ms`}`);
  return recovery;
}

async function startWithRetry(ctx: FaultContext, c: ComponentName): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.sup.start(c);
      return;
    } catch (err) {
      ctx.log(`restart of ${c} failed (attempt ${attempt}): ${(err as Error).message.split('\n')[0]}`);
      if (attempt >= 3) throw err;
      await sleep(1000);
    }
  }
}
