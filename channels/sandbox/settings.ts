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

export interface SandboxSettings {
  refundMode: SandboxRefundMode;
  refundDelayMs: number;
}

const Schema = z.object({
  SANDBOX_REFUND_MODE: z.enum(SANDBOX_REFUND_MODES).default('instant'),
  SANDBOX_REFUND_DELAY: z.string().default('3s').transform((text, ctx) => {
    try {
      return parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  }),
});

export function loadSandboxSettings(env: ChannelEnv): SandboxSettings {
  const e = Schema.parse(env);
  return { refundMode: e.SANDBOX_REFUND_MODE, refundDelayMs: e.SANDBOX_REFUND_DELAY };
}
