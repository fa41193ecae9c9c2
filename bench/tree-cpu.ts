import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

interface Stat { ppid: number; ownTicks: number; reapedChildTicks: number }

function readStat(pid: number): Stat | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ownTicks: Number(f[11]) + Number(f[12]), reapedChildTicks: Number(f[13]) + Number(f[14]) };
  } catch {
    return null;
  }
}

/**
 * CPU milliseconds used so far by a process and all its live descendants, plus the children it has already reaped
 * (PostgreSQL forks a backend per connection; MariaDB, Redis and a JVM are one process each). Linux /proc only;
 * null when the root is gone.
 */
export function treeCpuMs(rootPid: number): number | null {
  const root = readStat(rootPid);
  if (!root) return null;
  const children = new Map<number, number[]>();
  const stats = new Map<number, Stat>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = readStat(pid);
    if (!s) continue;
    stats.set(pid, s);
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  let ticks = root.ownTicks + root.reapedChildTicks;
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    ticks += stats.get(pid)?.ownTicks ?? 0;
    queue.push(...(children.get(pid) ?? []));
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU used by a set of named process trees between `new` and `perOrder()`. */
export class TreeCpuMeter {
  private readonly start: Map<string, number | null>;
  constructor(private readonly pids: Record<string, number | null>) {
    this.start = new Map(Object.entries(pids).map(([name, pid]) => [name, pid === null ? null : treeCpuMs(pid)]));
  }

  /**
   * CPU milliseconds per completed order: the total (null if any tree could not be read) and each tree's share.
   */
  perOrder(completed: number): { total: number | null; byProcess: Record<string, number | null> } {
    const byProcess: Record<string, number | null> = {};
    for (const [name, pid] of Object.entries(this.pids)) {
      const end = pid === null ? null : treeCpuMs(pid);
      const start = this.start.get(name) ?? null;
      byProcess[name] = end === null || start === null || completed === 0 ? null : Math.round((end - start) / completed);
    }
    const values = Object.values(byProcess);
    const total = values.length === 0 || values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + v!, 0);
    return { total, byProcess };
  }

  /** CPU milliseconds used since `new` (null if any tree could not be read). */
  usedMs(): number | null {
    return this.perOrder(1).total;
  }
}
