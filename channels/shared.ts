import { z } from 'zod';
import { parseDuration } from '../domain/durations';
import type { CallbackReply } from './plugin';

/**
 * Small pieces every channel folder uses: the call-timeout setting and the plain-text pieces of an inbound callback.
 */

/** A channel call timeout variable (e.g. `10s`): 100ms to 20s, below the channel activities' 30 s. */
export const callTimeout = (fallback: string) => z.string().default(fallback).transform((text, ctx) => {
  try {
    const ms = parseDuration(text);
    if (ms >= 100 && ms <= 20_000) return ms;
    ctx.addIssue({ code: 'custom', message: 'must be 100ms to 20s (the channel activities give up after 30 s)' });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
  return z.NEVER;
});

/** A plain-text answer to a channel's callback. */
export const textReply = (status: number, body: string): CallbackReply => ({ status, contentType: 'text/plain', body });

const decoder = new TextDecoder('utf-8', { fatal: true });
/** A callback body as text, or null when it is not UTF-8. */
export function utf8Text(raw: Buffer): string | null {
  try {
    return decoder.decode(raw);
  } catch {
    return null;
  }
}

/**
 * The order's attach field as a JSON object, where a channel reads what the unified order has no field for (the jspay
 * payer of a direct channel); null when attach is absent or not a JSON object.
 */
export function attachFields(attach: string | null): Record<string, unknown> | null {
  if (!attach) return null;
  try {
    const parsed: unknown = JSON.parse(attach);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
