import { z } from 'zod';
import { parseDuration } from '../../domain/durations';
import type { ChannelEnv } from '../plugin';

/**
 * How the sandbox answers refunds (switchable for tests and demos):
 *   instant: refunded at once (SUCCESS);
 *   delayed: accepted (PENDING), refunded SANDBOX_REFUND_DELAY later — refund queries find it then;
 *   failing: refused (FAIL), nothing refunded.
 */
export const SANDBOX_REFUND_MODES = ['instant', 'delayed', 'failing'] as const;
export type SandboxRefundMode = (typeof SANDBOX_REFUND_MODES)[number];

/**
 * How the sandbox answers payouts (SANDBOX_PAYOUT_MODE), the same way, plus
 *   unknown: makes the transfer but answers UNKNOWN (its answer "lost"): the payout workflow's query finds it.
 */
export const SANDBOX_PAYOUT_MODES = ['instant', 'delayed', 'failing', 'unknown'] as const;
export type SandboxPayoutMode = (typeof SANDBOX_PAYOUT_MODES)[number];

export interface SandboxSettings {
  refundMode: SandboxRefundMode;
  refundDelayMs: number;
  payoutMode: SandboxPayoutMode;
  payoutDelayMs: number;
}

const durationText = (fallback: string) => z.string().default(fallback).transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const Schema = z.object({
  SANDBOX_REFUND_MODE: z.enum(SANDBOX_REFUND_MODES).default('instant'),
  SANDBOX_REFUND_DELAY: durationText('3s'),
  SANDBOX_PAYOUT_MODE: z.enum(SANDBOX_PAYOUT_MODES).default('instant'),
  SANDBOX_PAYOUT_DELAY: durationText('3s'),
});

export function loadSandboxSettings(env: ChannelEnv): SandboxSettings {
  const e = Schema.parse(env);
  return {
    refundMode: e.SANDBOX_REFUND_MODE, refundDelayMs: e.SANDBOX_REFUND_DELAY, payoutMode: e.SANDBOX_PAYOUT_MODE, payoutDelayMs: e.SANDBOX_PAYOUT_DELAY,
  };
}
