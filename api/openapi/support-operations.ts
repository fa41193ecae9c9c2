import { z } from 'zod';
import { SUPPORT_ERROR_CODES, type SupportErrorCode } from '../../domain/errors';
import { RESP_CODES } from '../../domain/resp-codes';
import {
  BulkReplayBodySchema, ExhaustedQuerySchema, JobParamsSchema, NotificationActionBodySchema, OrderIdParamsSchema,
  OrderRefParamsSchema, OrderRefQuerySchema, RedirectBodySchema, AmbiguousQuerySchema, ResolveBodySchema, PayoutApprovalBodySchema, RefundIdParamsSchema,
  RefundResolveBodySchema, StartRetryBodySchema,
  EndpointResumeBodySchema, EndpointsQuerySchema, ReconRunBodySchema, ReconRunParamsSchema, ReconRunsQuerySchema,
} from '../schemas/support';
import type { ErrorCase, NamedSchema, OperationSpec } from './operations';

/** Support errors: `{error: {code, message, field?}}` (api/routes/support/errors.ts) with the HTTP status of the code. */
export const SupportErrorAnswerSchema = z.object({
  error: z.object({
    code: z.enum([...(Object.keys(SUPPORT_ERROR_CODES) as SupportErrorCode[]), 'internal']),
    message: z.string(),
    field: z.string().optional().describe('The request field the error is about, when there is one.'),
  }),
});

export const MEANINGS: Record<SupportErrorCode, string> = {
  invalid_request: 'a parameter or body field is invalid (the message names the field and the rule)',
  unauthorized: 'operator token missing or not the token of an operator in SUPPORT_OPERATORS or ADMIN_OPERATORS',
  forbidden: 'the operator\'s role does not allow it (a support-only operator on the admin API)',
  not_found: 'no such order, job or route',
  conflict: 'not possible in the current state (e.g. the order has no notification, or its workflow has closed)',
  too_many_requests: 'MAX_CONCURRENT_BULK_JOBS bulk jobs are running: start this one once one has finished',
  try_again: 'the workflow did not take the decision this time (the engine dropped it, even after sending it again): send the same request again',
  not_configured: 'the support API is off: SUPPORT_OPERATORS is not set',
};

function supportErrors(...codes: SupportErrorCode[]): { schema: NamedSchema; cases: ErrorCase[] } {
  const all: SupportErrorCode[] = ['invalid_request', 'unauthorized', ...codes, 'not_configured'];
  const cases: ErrorCase[] = all.map((code) => ({ code, httpStatus: RESP_CODES[SUPPORT_ERROR_CODES[code]].httpStatus, meaning: MEANINGS[code] }));
  cases.push({ code: 'invalid_request', httpStatus: 413, meaning: 'body over 16 KiB' }, { code: 'internal', httpStatus: 500, meaning: 'unexpected error (logged)' });
  return { schema: { name: 'SupportErrorAnswer', schema: SupportErrorAnswerSchema }, cases };
}

const json = (description: string) => ({ mediaType: 'application/json', description });
const accepted = [{ status: 202, description: 'Accepted: the workflow acts on it asynchronously (the order timeline shows the attempts)' }];
const orderId = { name: 'SupportOrderIdParams', schema: OrderIdParamsSchema };
const refundId = { name: 'SupportRefundIdParams', schema: RefundIdParamsSchema };
const emptyBody = { name: 'SupportEmptyBody', schema: NotificationActionBodySchema };
const common = { tag: 'support', security: ['operatorToken'] } as const;

/**
 * The support API under /support/v1 (api/routes/support/*), with the request schemas it validates with
 * (api/schemas/support.ts). A new support route is one entry here.
 */
export const SUPPORT_OPERATIONS: readonly OperationSpec[] = [
  {
    ...common, method: 'get', path: '/support/v1/orders/:ref', operationId: 'supportExplainOrder',
    summary: "An order's whole story: read model, audit events, channel calls and callbacks, notification attempts, live workflow state",
    params: { name: 'SupportOrderRefParams', schema: OrderRefParamsSchema },
    query: { name: 'SupportOrderRefQuery', schema: OrderRefQuerySchema },
    answer: json('The order and its timeline'),
    errors: supportErrors('not_found'),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/notification/replay', operationId: 'supportReplayNotification',
    summary: "Replay the order's notification now (any order that has one)",
    params: orderId, body: emptyBody, answer: json('What was started'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/notification/pause', operationId: 'supportPauseNotification',
    summary: "Pause the order's pending notification (open workflows only)",
    params: orderId, body: emptyBody, answer: json('The signal sent'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/notification/resume', operationId: 'supportResumeNotification',
    summary: "Resume the order's paused notification",
    params: orderId, body: emptyBody, answer: json('The signal sent'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/notification/redirect', operationId: 'supportRedirectNotification',
    summary: "Send the pending notification's next attempts to another URL",
    params: orderId, body: { name: 'SupportRedirectBody', schema: RedirectBodySchema }, answer: json('The signal sent'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'post', path: '/support/v1/notifications/replay', operationId: 'supportBulkReplay',
    summary: 'Bulk replay of notifications matching a filter (dry run: count and sample only)',
    body: { name: 'SupportBulkReplayBody', schema: BulkReplayBodySchema },
    answer: json('Dry run: the count and a sample; otherwise the job (Location: /support/v1/jobs/{id})'),
    success: [{ status: 200, description: 'Dry run result' }, { status: 202, description: 'Replay job started' }],
    errors: supportErrors('too_many_requests'),
  },
  {
    ...common, method: 'get', path: '/support/v1/jobs/:id', operationId: 'supportJob',
    summary: 'Progress of a bulk replay job',
    params: { name: 'SupportJobParams', schema: JobParamsSchema }, answer: json('The job'),
    errors: supportErrors('not_found'),
  },
  {
    ...common, method: 'get', path: '/support/v1/notifications/exhausted', operationId: 'supportExhausted',
    summary: 'Orders whose notification schedule is used up, most recently changed first',
    query: { name: 'SupportExhaustedQuery', schema: ExhaustedQuerySchema }, answer: json('{total, orders}'),
    errors: supportErrors(),
  },
  {
    ...common, method: 'get', path: '/support/v1/ambiguous', operationId: 'supportAmbiguous',
    summary: 'The human queue: orders waiting for a decision (result unknown past the bound, amount mismatch), longest waiting first',
    query: { name: 'SupportAmbiguousQuery', schema: AmbiguousQuerySchema }, answer: json('{total, orders}'),
    errors: supportErrors(),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/resolve', operationId: 'supportResolveOrder',
    summary: 'Resolve an order in the human queue (applied by its workflow and audited with the operator as the actor)',
    params: { name: 'SupportResolveParams', schema: OrderIdParamsSchema },
    body: { name: 'SupportResolveBody', schema: ResolveBodySchema },
    answer: json('{orderId, payStatus, latePayment, review}'),
    errors: supportErrors('not_found', 'conflict', 'try_again'),
  },
  {
    ...common, method: 'get', path: '/support/v1/payouts/pending-approval', operationId: 'supportPendingPayoutApprovals',
    summary: 'Payouts waiting for a support operator\'s approval, longest waiting first (payee account masked)',
    query: { name: 'SupportPendingApprovalsQuery', schema: AmbiguousQuerySchema }, answer: json('{total, payouts}'),
    errors: supportErrors(),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/payout-approval', operationId: 'supportPayoutApproval',
    summary: 'Approve or reject a payout waiting for approval (merchants with payout approval): applied by its workflow, audited with the operator as the actor',
    params: { name: 'SupportPayoutApprovalParams', schema: OrderIdParamsSchema },
    body: { name: 'SupportPayoutApprovalBody', schema: PayoutApprovalBodySchema },
    answer: json('{orderId, payStatus, approval, actor, reason}'),
    errors: supportErrors('not_found', 'conflict', 'try_again'),
  },
  {
    ...common, method: 'post', path: '/support/v1/refunds/:refundId/resolve', operationId: 'supportResolveRefund',
    summary: 'Resolve a refund in the human queue (kind refund_unknown): applied by its refund workflow, audited with the operator as the actor',
    params: refundId, body: { name: 'SupportRefundResolveBody', schema: RefundResolveBodySchema },
    answer: json('{refundId, orderId, refundStatus, failReason, actor}'),
    errors: supportErrors('not_found', 'conflict', 'try_again'),
  },
  {
    ...common, method: 'post', path: '/support/v1/refunds/:refundId/retry-start', operationId: 'supportRetryRefundStart',
    summary: 'Retry start: start now the workflow of a refund the workers\' start recovery gave up on (in the human queue with detail.startTries, listed with retryStart), once the cause is fixed; the escalation is cleared and the review closed (decision start_retried) only when Temporal took the start, audited with the operator as the actor. A repeat, or a refund not escalated, is conflict',
    params: refundId, body: { name: 'SupportStartRetryBody', schema: StartRetryBodySchema },
    answer: json('{refundId, orderId, workflowId, start, previousTries, actor, reason}'),
    errors: supportErrors('not_found', 'conflict', 'try_again'),
  },
  {
    ...common, method: 'post', path: '/support/v1/orders/:orderId/retry-start', operationId: 'supportRetryPayoutStart',
    summary: 'Retry start of a payout (an order of a payout trade type) the workers\' start recovery gave up on: as the refund\'s retry start',
    params: orderId, body: { name: 'SupportStartRetryBody', schema: StartRetryBodySchema },
    answer: json('{orderId, workflowId, start, previousTries, actor, reason}'),
    errors: supportErrors('not_found', 'conflict', 'try_again'),
  },
  ...(['replay', 'pause', 'resume'] as const).map((action): OperationSpec => ({
    ...common, method: 'post', path: `/support/v1/refunds/:refundId/notification/${action}`,
    operationId: `support${action[0]!.toUpperCase()}${action.slice(1)}RefundNotification`,
    summary: action === 'replay' ? "Replay a final refund's notification now" : `${action === 'pause' ? 'Pause' : 'Resume'} the refund's pending notification (while its workflow runs)`,
    params: refundId, body: emptyBody, answer: json('What was sent'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  })),
  {
    ...common, method: 'post', path: '/support/v1/refunds/:refundId/notification/redirect', operationId: 'supportRedirectRefundNotification',
    summary: "Send the refund notification's next attempts to another URL",
    params: refundId, body: { name: 'SupportRedirectBody', schema: RedirectBodySchema }, answer: json('The signal sent'), success: accepted,
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'get', path: '/support/v1/notify-endpoints', operationId: 'supportNotifyEndpoints',
    summary: 'Merchant notify endpoints and their health (endpoint health): paused ones by default, with the notifications they hold',
    query: { name: 'SupportEndpointsQuery', schema: EndpointsQuerySchema }, answer: json('{endpoints}'),
    errors: supportErrors(),
  },
  {
    ...common, method: 'post', path: '/support/v1/notify-endpoints/resume', operationId: 'supportResumeEndpoint',
    summary: 'Resume a paused notify endpoint: its held notifications attempt at once and orders exhausted during the outage are replayed once, each with its latest state (audited)',
    body: { name: 'SupportEndpointResumeBody', schema: EndpointResumeBodySchema },
    answer: json('{mercNo, url, wasPausedAt, released, replayed, failed, actor}'),
    errors: supportErrors('not_found', 'conflict'),
  },
  {
    ...common, method: 'get', path: '/support/v1/recon/runs', operationId: 'supportReconReports',
    summary: 'Reconciliation reports, one per channel and day (newest first): status, statement lines, matched, the channel\'s totals and the discrepancy counts per kind',
    query: { name: 'SupportReconRunsQuery', schema: ReconRunsQuerySchema }, answer: json('{runs}'),
    errors: supportErrors(),
  },
  {
    ...common, method: 'get', path: '/support/v1/recon/runs/:channel/:date', operationId: 'supportReconReport',
    summary: "One channel's reconciliation of one day, with its discrepancies (open first; cleared ones say when) and what was done about each",
    params: { name: 'SupportReconRunParams', schema: ReconRunParamsSchema }, answer: json('{run, discrepancies}'),
    errors: supportErrors('not_found'),
  },
  {
    ...common, method: 'post', path: '/support/v1/recon/runs', operationId: 'supportReconRun',
    summary: "Reconcile a channel's day now (or join its run under way); GET its report until status is not running",
    body: { name: 'SupportReconRunBody', schema: ReconRunBodySchema }, answer: json('{channel, date, workflowId, previousAttempts, actor}'),
    success: [{ status: 202, description: 'Accepted: the reconciliation workflow runs the day (its report shows status running until it ends)' }],
    errors: supportErrors('conflict'),
  },
];

/** components.securitySchemes of the support API. */
export const SUPPORT_SECURITY_SCHEMES: Record<string, Record<string, string>> = {
  operatorToken: {
    type: 'http', scheme: 'bearer',
    description: 'The token of one named operator in SUPPORT_OPERATORS (`name:token,…`) or ADMIN_OPERATORS: `Authorization: Bearer <token>`. The operator is the actor of every audit record the request writes.',
  },
  adminToken: {
    type: 'http', scheme: 'bearer',
    description: 'The token of one named admin operator in ADMIN_OPERATORS (`name:token` or `name:sha256:<hex of SHA-256(token)>`): `Authorization: Bearer <token>`. A support-only operator\'s token is refused with 403 forbidden. The operator is the actor of every admin_audit row the request writes.',
  },
};
