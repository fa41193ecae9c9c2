import { z } from 'zod';
import { httpUrl, oneOf, orderNo, text } from './fields';
import { SupportError } from '../../domain/errors';
import { FINAL_STATUSES } from '../../domain/pay-status';
import { REVIEW_DECISIONS } from '../../domain/order-transitions';
import { REFUND_REVIEW_DECISIONS } from '../../domain/refund-status';
import { CHANNEL_NAMES } from '../../domain/channels';

/**
 * Request schemas of the support API (`/support/v1`), one per path parameter set, query and body. Every message
 * completes the sentence "<field> …". The OpenAPI document is generated from these, hence the descriptions.
 */

export const MAX_RATE_PER_SECOND = 50;
const NOTIFY_STATES = ['pending', 'paused', 'delivered', 'exhausted'] as const;

const isoTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: 'must be an ISO 8601 time (e.g. 2025-01-31T08:00:00Z) or date' })
  .transform((v) => Date.parse(v));

export const OrderRefParamsSchema = z.object({
  ref: orderNo(32).describe('The platform order number (orderId); with the mercNo query parameter, the merchant\'s order number (mercOrderNo).'),
}).describe('Path parameters of GET /support/v1/orders/{ref}.');

export const OrderRefQuerySchema = z.object({
  mercNo: text(32).optional().describe('Merchant number. When given, {ref} is looked up as this merchant\'s mercOrderNo.'),
}).strict().describe('Query of GET /support/v1/orders/{ref}.');

export const OrderIdParamsSchema = z.object({
  orderId: orderNo(32).describe('The platform order number (orderId).'),
}).describe('Path parameters of the per-order notification controls.');

export const NotificationActionBodySchema = z.object({})
  .strict()
  .describe('Body of notification replay, pause and resume: an empty JSON object (or no body).');

export const RedirectBodySchema = z.object({
  url: httpUrl(512).describe('Where the pending notification\'s next attempts go instead of the order\'s notifyUrl (http or https).'),
}).strict().describe('Body of POST /support/v1/orders/{orderId}/notification/redirect.');

export const BulkReplayFilterSchema = z.object({
  mercNo: text(32).optional().describe('Only this merchant\'s orders.'),
  payStatus: oneOf(FINAL_STATUSES as unknown as readonly [string, ...string[]]).optional()
    .describe('Only orders in this final payStatus (p0000 paid, p0004 failed, p0005 cancelled, p0006 expired).'),
  notifyState: oneOf(NOTIFY_STATES).optional().describe('Only orders whose notification is in this state.'),
  from: isoTime.optional().describe('Only orders created at or after this time (ISO 8601; a date means 00:00 UTC).'),
  to: isoTime.optional().describe('Only orders created before this time (ISO 8601; a date means 00:00 UTC).'),
}).strict().refine((f) => f.from === undefined || f.to === undefined || f.from < f.to, { error: 'from must be before to', path: ['from'] })
  .describe('Which orders to replay. Criteria are combined with AND; only orders that have a notification (notifyState other than none) match. Rule: from must be before to when both are given (otherwise 400 invalid_request on filter.from).');

export const BulkReplayBodySchema = z.object({
  filter: BulkReplayFilterSchema,
  dryRun: z.boolean({ error: 'must be true or false' }).default(false)
    .describe('true: only count the matching orders (and show a sample); nothing is replayed.'),
  ratePerSecond: z.int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' })
    .max(MAX_RATE_PER_SECOND, { error: `must be at most ${MAX_RATE_PER_SECOND}` }).default(5)
    .describe(`Replays per second (1 to ${MAX_RATE_PER_SECOND}, default 5).`),
}).strict().describe('Body of POST /support/v1/notifications/replay (bulk replay).');

export const JobParamsSchema = z.object({
  id: z.uuid({ error: 'must be a job id (UUID)' }).describe('Job id, as returned when the job was started.'),
}).describe('Path parameters of GET /support/v1/jobs/{id}.');

export const ExhaustedQuerySchema = z.object({
  mercNo: text(32).optional().describe('Only this merchant\'s orders.'),
  limit: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' }).max(500, { error: 'must be at most 500' }).default(50)
    .describe('At most this many orders (1 to 500, default 50), most recently changed first.'),
}).strict().describe('Query of GET /support/v1/notifications/exhausted.');

export const AmbiguousQuerySchema = z.object({
  mercNo: text(32).optional().describe('Only this merchant\'s orders.'),
  limit: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' }).max(500, { error: 'must be at most 500' }).default(50)
    .describe('At most this many orders (1 to 500, default 50), longest waiting first.'),
}).strict().describe('Query of GET /support/v1/ambiguous (the human queue).');

export const ResolveBodySchema = z.object({
  decision: oneOf(REVIEW_DECISIONS as unknown as readonly [string, ...string[]])
    .describe('paid: the money was taken for this order (it becomes p0000, late_payment when it had ended unpaid); unpaid: it was not (the order ends p0006, or stays as it ended).'),
  reason: text(500).describe('Why: what the person checked (the channel\'s merchant portal, a statement, a call).'),
}).strict().describe('Body of POST /support/v1/orders/{orderId}/resolve. Who decides is the authenticated operator (recorded as the actor).');

export const PayoutApprovalBodySchema = z.object({
  decision: oneOf(['approve', 'reject'] as const)
    .describe('approve: the payout is sent to the channel; reject: it is not sent and ends failed (p0004), its amount given back to the day\'s limit.'),
  reason: text(500).describe('Why (what the person checked).'),
}).strict().describe('Body of POST /support/v1/orders/{orderId}/payout-approval. Who decides is the authenticated operator (recorded as the actor).');

export const EndpointsQuerySchema = z.object({
  mercNo: text(32).optional().describe('Only this merchant\'s endpoints.'),
  state: oneOf(['paused', 'all'] as const).default('paused')
    .describe('paused (default): the paused endpoints; all: every endpoint on record, paused and failing ones first.'),
  limit: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' }).max(500, { error: 'must be at most 500' }).default(100)
    .describe('At most this many endpoints (1 to 500, default 100).'),
}).strict().describe('Query of GET /support/v1/notify-endpoints.');

export const EndpointResumeBodySchema = z.object({
  mercNo: text(32).describe('The merchant whose endpoint it is.'),
  url: httpUrl(512).describe('The notify endpoint (as listed by GET /support/v1/notify-endpoints).'),
}).strict().describe('Body of POST /support/v1/notify-endpoints/resume.');

export type BulkReplayBody = z.infer<typeof BulkReplayBodySchema>;

/** Validates a request part; the first issue becomes a 400 "invalid_request" naming the field and the rule. */
export function parseSupport<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  if (issue?.code === 'unrecognized_keys') return fail(issue.keys.join(', '), 'is not a known field');
  return fail(field, issue?.message ?? 'is invalid');
}

function fail(field: string, rule: string): never {
  throw SupportError.invalid(field, rule);
}

export const RefundIdParamsSchema = z.object({
  refundId: orderNo(32).describe('The platform refund number (refundId).'),
}).describe('Path parameters of the per-refund support operations.');

export const RefundResolveBodySchema = z.object({
  decision: oneOf(REFUND_REVIEW_DECISIONS)
    .describe('refunded: the channel did refund it (r0000, counted as refunded); not_refunded: it did not (r0003, its amount refundable again).'),
  reason: text(500).describe('Why: what the person checked (the channel\'s merchant portal, a statement, a call).'),
}).strict().describe('Body of POST /support/v1/refunds/{refundId}/resolve. Who decides is the authenticated operator (recorded as the actor).');

/** The review a console resolve form names (order_reviews.id): the page shows each open review with its own form. */
export const ReviewIdFieldSchema = z.object({
  reviewId: z.string().regex(/^[1-9][0-9]{0,14}$/, 'a review id (a positive integer)').transform(Number),
}).strict();

export const StartRetryBodySchema = z.object({
  reason: text(500).describe('Why the start can succeed now: the cause the person found and fixed (recorded as the review\'s decision reason).'),
}).strict().describe('Body of POST /support/v1/refunds/{refundId}/retry-start and /support/v1/orders/{orderId}/retry-start. Who acts is the authenticated operator (recorded as the actor).');

const channelName = oneOf(CHANNEL_NAMES).describe(`The channel (${CHANNEL_NAMES.join(', ')}).`);
// A calendar date (format date: the document says which strings are dates, leap years included); what the date may
// be beyond that (not in the future, for a run) is answered 409 / 404, never 400, for a date the document accepts.
const statementDate = z.iso.date({ error: 'must be a calendar date YYYY-MM-DD' });

export const ReconRunsQuerySchema = z.object({
  channel: channelName.optional(),
  from: statementDate.optional().describe('Only days on or after this one (YYYY-MM-DD, Asia/Shanghai).'),
  to: statementDate.optional().describe('Only days on or before this one (YYYY-MM-DD, Asia/Shanghai).'),
  limit: z.coerce.number({ error: 'must be a number' }).int({ error: 'must be a whole number' })
    .min(1, { error: 'must be at least 1' }).max(500, { error: 'must be at most 500' }).default(60)
    .describe('At most this many reports (1 to 500, default 60), newest day first.'),
}).strict().describe('Query of GET /support/v1/recon/runs.');

export const ReconRunParamsSchema = z.object({
  channel: channelName,
  date: statementDate.describe('The Asia/Shanghai day reconciled (YYYY-MM-DD).'),
}).describe('Path parameters of GET /support/v1/recon/runs/{channel}/{date}.');

export const ReconRunBodySchema = z.object({
  channel: channelName,
  date: statementDate.describe('The Asia/Shanghai day to reconcile now (YYYY-MM-DD). A day that has not begun yet is 409 conflict. A day run before is run again: only what was not acted on is acted on.'),
}).strict().describe('Body of POST /support/v1/recon/runs.');
