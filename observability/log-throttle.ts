/**
 * Keeps a flood from becoming a log flood: `maybe(key, write)` calls `write` at most once per `intervalMs` per key,
 * with the number of calls left out since the last line (metrics keep the exact counts).
 */
export function logThrottle(intervalMs: number, now: () => number = Date.now) {
  const last = new Map<string, { at: number; suppressed: number }>();
  return function maybe(key: string, write: (suppressed: number) => void): void {
    const t = now();
    const entry = last.get(key);
    if (entry && t - entry.at < intervalMs) {
      entry.suppressed++;
      return;
    }
    if (last.size > 1000) last.clear(); // keys are a few bounded categories; never let it grow
    last.set(key, { at: t, suppressed: 0 });
    write(entry?.suppressed ?? 0);
  };
}
