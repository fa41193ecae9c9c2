import type { SupportEnv } from './temporal';
import { controlNotification, replayNotification } from './notification-control';
import { findOrderById } from '../db/orders';
import { exhaustedDuringOutage, heldOrders, listEndpoints, releaseHold, unpauseEndpoint } from '../db/notify-endpoints';
import { SupportError } from '../domain/errors';
import { NotifyState } from '../domain/pay-status';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Merchant notify endpoints and their health: paused ones first, then failing ones. */
export async function notifyEndpoints(env: SupportEnv, q: { mercNo?: string; pausedOnly: boolean; limit: number }) {
  const endpoints = await listEndpoints(env.pool, q);
  return {
    endpoints: endpoints.map((e) => ({
      mercNo: e.mercNo, url: e.url, state: e.pausedAtMs !== null ? 'paused' : e.failingSinceMs !== null ? 'failing' : 'healthy',
      pausedAt: iso(e.pausedAtMs), failingSince: iso(e.failingSinceMs), lastFailureAt: iso(e.lastFailureAtMs),
      lastSuccessAt: iso(e.lastSuccessAtMs), lastError: e.lastError, heldNotifications: e.held,
    })),
  };
}

export interface ResumeOutcome {
  mercNo: string;
  url: string;
  /** When it had been paused; null when it was not paused (a repeated resume only finishes releasing holds). */
  wasPausedAt: string | null;
  /** Held notifications released: their workflows attempt at once, with the order's latest state. */
  released: string[];
  /** Orders whose notification exhausted its schedule during the outage: each replayed once (latest state). */
  replayed: string[];
  /** Orders that could not be released or replayed now, with the reason (resume again to retry them). */
  failed: { orderId: string; reason: string }[];
}

/**
 * Support resumes a paused notify endpoint. The endpoint is unpaused first (so new attempts are sent), then every
 * notification it held is released — its workflow attempts at once, with the order's latest state (a state that
 * superseded the held one is the one sent) — and every order whose notification was exhausted while the endpoint
 * was failing is replayed once. A hold is removed only after its workflow has the signal, so a resume cut short
 * is finished by resuming again. Each release and replay is audited on its order under the operator.
 */
export async function resumeEndpoint(env: SupportEnv, e: { mercNo: string; url: string }, actor: string): Promise<ResumeOutcome> {
  const before = await unpauseEndpoint(env.pool, { ...e, actor });
  if (!before) throw new SupportError('not_found', `merchant ${e.mercNo} has no notify endpoint ${e.url} on record`);
  const held = await heldOrders(env.pool, e);
  if (before.wasPausedAtMs === null && held.length === 0) {
    throw new SupportError('conflict', `the notify endpoint ${e.url} of merchant ${e.mercNo} is not paused`);
  }
  const outcome: ResumeOutcome = { mercNo: e.mercNo, url: e.url, wasPausedAt: iso(before.wasPausedAtMs), released: [], replayed: [], failed: [] };
  for (const orderId of held) {
    const order = await findOrderById(env.pool, orderId);
    try {
      if (order) await controlNotification(env, order, { action: 'endpoint-resume' }, { actor });
      await releaseHold(env.pool, orderId);
      outcome.released.push(orderId);
    } catch (err) {
      // The order's workflow has ended (nothing waits any more): the hold goes; anything else is retried by resuming again.
      if (err instanceof SupportError && err.code === 'conflict') await releaseHold(env.pool, orderId);
      outcome.failed.push({ orderId, reason: (err as Error).message });
    }
  }
  if (before.wasPausedAtMs !== null) {
    const since = before.failingSinceMs ?? before.wasPausedAtMs;
    for (const orderId of await exhaustedDuringOutage(env.pool, { ...e, sinceMs: since })) {
      const order = await findOrderById(env.pool, orderId);
      if (!order || order.notifyState !== NotifyState.EXHAUSTED) continue;
      try {
        await replayNotification(env, order, { actor });
        outcome.replayed.push(orderId);
      } catch (err) {
        outcome.failed.push({ orderId, reason: (err as Error).message });
      }
    }
  }
  return outcome;
}
