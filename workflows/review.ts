import type { ReviewResolution } from './definitions';
import type { OrderStateView } from '../domain/order';
import { eventOfDecision, type OrderEvent } from '../domain/order-transitions';

/** What a person's decision does: the transition-table event and the audit detail recorded with it. */
export function reviewResolution(r: ReviewResolution, review: OrderStateView['review']): { event: OrderEvent; detail: Record<string, unknown> } {
  return {
    event: eventOfDecision(r.decision),
    detail: { decision: r.decision, reason: r.reason, actor: r.actor, ...(review ? { review: review.kind } : {}) },
  };
}
