import { z } from 'zod';
import { jsonSchema, mercNo, oneOf, text } from './fields';
import { ALL_SIGN_TYPES } from '../../domain/signing';
import { LIVE_CHANNEL_NAMES } from '../../domain/channels';
import { PAYWAY_CODES } from '../../domain/order';
import { MODES } from '../../domain/mode';
import { MAX_ROUTE_CHANNELS } from '../../db/channel-routes';
import { PAYOUT_LIMIT_PATTERN, PAYOUT_LIMIT_RULE } from '../../domain/payout';

/**
 * Request schemas of the admin API (`/admin/v1`, admin listener). Every message completes the sentence "<field> …";
 * errors are parsed by parseSupport (api/schemas/support.ts) into 400 invalid_request naming the field. The OpenAPI
 * document is generated from these.
 */

/** The longest notification delay and schedule a merchant may have (the platform default ends at 15 h). */
export const MAX_NOTIFY_DELAY_MS = 7 * 24 * 3_600_000;
export const MAX_NOTIFY_ATTEMPTS = 30;
/** The longest key overlap: 30 days. */
export const MAX_OVERLAP_MS = 30 * 24 * 3_600_000;

const int = (min: number, max: number) => z.int({ error: 'must be a whole number' })
  .min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` });

const uniqueList = <T extends z.ZodType>(item: T, what: string, min: number, max: number) =>
  z.array(item, { error: 'must be a list' })
    .min(min, { error: `must list at least ${min} ${what}` }).max(max, { error: `must list at most ${max} ${what}` })
    .refine((l) => new Set(l).size === l.length, { error: `must list each ${what.replace(/s$/, '')} once` })
    .meta(jsonSchema({ uniqueItems: true }));

const signTypes = () => uniqueList(oneOf(ALL_SIGN_TYPES), 'sign types', 1, ALL_SIGN_TYPES.length)
  .describe('The sign types the merchant\'s requests may use: HMAC-SHA256-RAW (recommended), HMAC-SHA256, MD5 (legacy).');

const notifySchedule = () => z.array(int(1, MAX_NOTIFY_DELAY_MS), { error: 'must be a list of delays in milliseconds' })
  .min(1, { error: 'must list at least one delay' }).max(MAX_NOTIFY_ATTEMPTS, { error: `must list at most ${MAX_NOTIFY_ATTEMPTS} delays` })
  .describe(`Delays (milliseconds, 1 to ${MAX_NOTIFY_DELAY_MS}) between notification attempts after the first; at most ${MAX_NOTIFY_ATTEMPTS}.`);

const maxOpenOrders = () => int(0, 1_000_000)
  .describe('Orders not yet final (p0001/p0002) the merchant may have; a new unified order beyond them is 100009. 0 = no cap.');
const refundWindowDays = () => int(1, 3650).describe('Days after payment within which refunds are accepted (1 to 3650).');

export const MerchantParamsSchema = z.object({
  mercNo: mercNo().describe('The merchant number.'),
}).describe('Path parameters of the per-merchant admin operations.');

export const CreateMerchantBodySchema = z.object({
  mercNo: mercNo().describe('The new merchant\'s number: letters, digits, _ or -, at most 32 characters.'),
  name: text(128).describe('The merchant\'s name (for people).'),
  signTypes: signTypes().optional(),
  notifyScheduleMs: notifySchedule().optional(),
  maxOpenOrders: maxOpenOrders().optional(),
  refundWindowDays: refundWindowDays().optional(),
}).strict().describe('Body of POST /admin/v1/merchants. Absent settings take the platform defaults (sign type HMAC-SHA256-RAW only).');

export const StatusBodySchema = z.object({
  reason: text(500).optional().describe('Why (recorded in the audit row).'),
}).strict().describe('Body of POST /admin/v1/merchants/{mercNo}/disable and /enable (may be empty).');

export const RotateKeyBodySchema = z.object({
  mode: oneOf(MODES).describe('Which key: live (real channels) or test (the sandbox).'),
  overlapMs: int(0, MAX_OVERLAP_MS).default(24 * 3_600_000)
    .describe(`How long (milliseconds) the keys it replaces keep verifying (default 24 h, at most 30 days); 0 = revoked at once.`),
}).strict().describe('Body of POST /admin/v1/merchants/{mercNo}/keys/rotate.');

export const NotifyScheduleBodySchema = z.object({
  notifyScheduleMs: notifySchedule().nullable().describe('The delays; null = the platform\'s NOTIFY_RETRY_SCHEDULE.'),
}).strict().describe('Body of PUT /admin/v1/merchants/{mercNo}/notify-schedule (orders placed from now on).');

export const SignTypesBodySchema = z.object({ signTypes: signTypes() })
  .strict().describe('Body of PUT /admin/v1/merchants/{mercNo}/sign-types.');

export const RoutesBodySchema = z.object({
  paywayCode: oneOf([...PAYWAY_CODES, '*'] as const).describe('The payway, or * for every payway without routes of its own.'),
  channels: uniqueList(oneOf(LIVE_CHANNEL_NAMES), 'channels', 0, MAX_ROUTE_CHANNELS)
    .describe('The live channels serving it, tried in this order (failover); an empty list removes the payway\'s routes.'),
}).strict().describe('Body of PUT /admin/v1/merchants/{mercNo}/routes (live orders placed from now on; test orders always go to the sandbox).');

export const LimitsBodySchema = z.object({
  maxOpenOrders: maxOpenOrders().nullable().optional().describe('The merchant\'s cap on orders not yet final (0 = none); null = the platform\'s MAX_OPEN_ORDERS_PER_MERCHANT; absent = unchanged.'),
  refundWindowDays: refundWindowDays().nullable().optional().describe('Days after payment refunds are accepted; null = the platform\'s REFUND_WINDOW_DAYS; absent = unchanged.'),
  rateLimitRps: int(0, 1_000_000).nullable().optional()
    .describe('Requests per second the merchant may send to the merchant interfaces (0 = no limit); null = the platform\'s RATE_LIMIT_MERCHANT_RPS; absent = unchanged.'),
  rateLimitBurst: int(0, 1_000_000).nullable().optional()
    .describe('Requests per 10 s beyond rateLimitRps for short bursts; null = the platform\'s RATE_LIMIT_MERCHANT_BURST; absent = unchanged.'),
}).strict().describe('Body of PUT /admin/v1/merchants/{mercNo}/limits: the merchant\'s own limits, each taking effect on its next request.');

export const PayoutSettingsBodySchema = z.object({
  dailyLimit: z.string({ error: 'must be a string of yuan, e.g. "20000.00"' })
    .regex(new RegExp(PAYOUT_LIMIT_PATTERN), { error: PAYOUT_LIMIT_RULE }).nullable().optional()
    .describe('The merchant\'s payouts (tradeType 02/03) per day (Asia/Shanghai), in yuan with at most two decimals; past it a payout answers 100012. "0" = no payouts; null = the platform\'s PAYOUT_DAILY_LIMIT; absent = unchanged. Takes effect on the next payout.'),
  approvalRequired: z.boolean({ error: 'must be true or false' }).optional()
    .describe('Whether each payout accepted from now on waits for a support operator\'s approval before it is sent (payouts already accepted keep their own); absent = unchanged.'),
}).strict().describe('Body of PUT /admin/v1/merchants/{mercNo}/payouts: the merchant\'s payout settings.');

export type CreateMerchantBody = z.infer<typeof CreateMerchantBodySchema>;
