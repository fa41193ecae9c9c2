import { parseSchedule } from './durations';

/**
 * When the sandbox sends a payment report again, like a real channel retrying its callback: the first attempt goes at
 * once (from the API, when the payer pays), then one retry after each delay of SANDBOX_REPORT_SCHEDULE. After the last
 * retry the report is exhausted: logged as an error and left in the outbox for a person, never dropped. About 22 hours
 * in all by default, as long as a real channel keeps calling back.
 */
export const DEFAULT_SANDBOX_REPORT_SCHEDULE = '2s,10s,30s,1m,2m,5m,10m,30m,1h,2h,6h,12h';

const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 24 * 3_600_000;
const MAX_RETRIES = 50;

/** Parses and bounds a report schedule: 1 to 50 delays, each 50ms to 24h. Throws with a readable message. */
export function parseReportSchedule(text: string): number[] {
  const delays = parseSchedule(text);
  if (delays.length > MAX_RETRIES) throw new Error(`at most ${MAX_RETRIES} delays (each one is a retry)`);
  for (const ms of delays) {
    if (ms < MIN_DELAY_MS || ms > MAX_DELAY_MS) throw new Error('each delay must be 50ms to 24h');
  }
  return delays;
}

/** Every report gets at most this many attempts: the immediate one and one per delay. */
export const maxReportAttempts = (scheduleMs: readonly number[]) => scheduleMs.length + 1;

/**
 * The delay before the next attempt once `attemptsMade` attempts have failed, or null when the report is exhausted.
 */
export function nextReportDelayMs(attemptsMade: number, scheduleMs: readonly number[]): number | null {
  if (attemptsMade < 1) return 0;
  return attemptsMade <= scheduleMs.length ? scheduleMs[attemptsMade - 1]! : null;
}

/**
 * How long one claimed attempt holds its row: longer than an attempt can take (the hand-over to Temporal is bounded by
 * CHANNEL_REPORT_TIMEOUT, at most 30 s), so only a dispatcher or API process that died mid-attempt lets it lapse; the
 * row is then due again.
 */
export const reportClaimLeaseMs = (reportTimeoutMs: number) => 2 * reportTimeoutMs + 10_000;
