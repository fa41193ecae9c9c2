/**
 * Merchant-facing times are `yyyyMMddHHmmss` in China Standard Time (UTC+8, no daylight saving), as in the source
 * documents. Pure functions: safe to import from workflow code.
 */
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const COMPACT = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;

/** Parses `yyyyMMddHHmmss` (CST) to epoch milliseconds, or null if it is not a real calendar time. */
export function parseCompactTime(value: string): number | null {
  const m = COMPACT.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day ||
    check.getUTCHours() !== hour || check.getUTCMinutes() !== minute || check.getUTCSeconds() !== second
  ) {
    return null;
  }
  return utc - CST_OFFSET_MS;
}

/** Formats epoch milliseconds as `yyyyMMddHHmmss` in CST. */
export function formatCompactTime(epochMs: number): string {
  const d = new Date(epochMs + CST_OFFSET_MS);
  const pad = (n: number, w = 2) => n.toString().padStart(w, '0');
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}
