/**
 * Durations written as `2s`, `10m`, `1h`, `250ms` and schedules as comma-separated lists of them. Pure: safe to import
 * from workflow code.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h)$/;

export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 250ms, 2s, 10m, 1h)`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

export function parseSchedule(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw new Error('a schedule needs at least one duration');
  return parts.map(parseDuration);
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * The platform's default notification retry schedule: the first attempt goes at once, then retries after these
 * delays (merchant-api.md §2). Stop at the first `success`; after the last retry the notification is exhausted.
 */
export const DEFAULT_NOTIFY_RETRY_SCHEDULE = '2s,10s,30s,1m,2m,10m,30m,1h,2h,6h,10h,15h';

/** Default channel status polling backoff; the last delay repeats until the order is final or expires. */
export const DEFAULT_POLL_SCHEDULE = '10s,30s,60s,120s';
