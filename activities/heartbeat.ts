import { Context } from '@temporalio/activity';

/** How often a long activity tells the server its worker is alive. */
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * Runs `work`, heartbeating while it runs, so that a worker which dies mid-call (kill -9) is noticed within the
 * activity's heartbeat timeout instead of its whole start-to-close bound. Outside an activity (unit tests), and in a
 * local activity (which lives and dies with its workflow task, and has no heartbeat), it only runs `work`.
 */
export async function withHeartbeat<T>(work: () => Promise<T>): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work();
  }
  if (ctx.info.isLocal) return work();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
