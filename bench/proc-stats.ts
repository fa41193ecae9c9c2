import { readFileSync } from 'node:fs';

/** CPU time and memory of a process from /proc (Linux). */
export interface ProcSample {
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export function sampleProcess(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuMs: ((utime + stime) * 1000) / TICKS_PER_SECOND, rssBytes: kb('VmRSS'), peakRssBytes: kb('VmHWM') };
  } catch {
    return null;
  }
}

/** Tracks a process over a phase: CPU used during it and the peak RSS seen (VmHWM covers the whole life). */
export class ProcessMeter {
  private start: ProcSample | null;
  private peak = 0;
  constructor(readonly name: string, readonly pid: number) {
    this.start = sampleProcess(pid);
  }
  /** Call periodically: keeps the highest current RSS seen during the phase. */
  tick(): ProcSample | null {
    const s = sampleProcess(this.pid);
    if (s) this.peak = Math.max(this.peak, s.rssBytes);
    return s;
  }
  finish(wallMs: number): { name: string; cpuSeconds: number; cpuPercent: number; peakRssMiB: number } {
    const end = this.tick();
    const cpuMs = end && this.start ? end.cpuMs - this.start.cpuMs : 0;
    return {
      name: this.name,
      cpuSeconds: round(cpuMs / 1000, 2),
      cpuPercent: round((cpuMs / Math.max(1, wallMs)) * 100, 1),
      peakRssMiB: round(this.peak / 1048576, 1),
    };
  }
}

export const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The median of the values (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}
