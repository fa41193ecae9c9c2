import type { z } from 'zod';
import { RESP_CODES, type RespCode } from '../../domain/resp-codes';
import { DEFAULT_NOTIFY_RETRY_SCHEDULE } from '../../domain/durations';
import { UNIFIED_ORDER_RULES, UnifiedOrderSchema } from '../schemas/unified-order';
import { ORDER_REF_RULES, OrderRefSchema } from '../schemas/query';
import type { JsonSchema } from './types';
import {
  CloseAnswerSchema, ErrorAnswerSchema, NotificationSchema, PayAnswerSchema, QueryAnswerSchema, RefundAnswerSchema,
  RefundNotificationSchema, SignedRequestFieldsSchema,
} from '../schemas/answers';
import { REFUND_REF_RULES, REFUND_REQUEST_RULES, RefundRefSchema, RefundRequestSchema } from '../schemas/refund';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A zod schema under its component name (components.schemas[name]). */
export interface NamedSchema {
  name: string;
  schema: z.ZodType;
  /** Cross-field rules the zod schema checks in code, as JSON Schema (added as `allOf`). */
  rules?: readonly JsonSchema[];
}

/** One error answer an operation can give: its code, HTTP status and meaning. */
export interface ErrorCase {
  code: string;
  httpStatus: number;
  meaning: string;
}

/** A request the platform sends to a URL the client gave (OpenAPI callback, and a top-level webhook). */
export interface CallbackSpec {
  name: string;
  /** Runtime expression of the target URL, e.g. `{$request.body#/notifyUrl}`. */
  url: string;
  summary: string;
  description: string;
  body: NamedSchema;
  headers: { name: string; description: string }[];
  /** What the receiver must answer (text/plain) to acknowledge. */
  acknowledge: string;
}

/**
 * One HTTP operation of the document. The schemas are the ones the routes validate with; everything else is prose.
 * Paths are written as in Express: `:name` segments become path parameters.
 */
export interface OperationSpec {
  method: HttpMethod;
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** Path parameters (object schema); without it every `:name` segment is a required string. */
  params?: NamedSchema;
  /** Query-string parameters (object schema). */
  query?: NamedSchema;
  /** Request body (JSON unless bodyMediaType says otherwise). */
  body?: NamedSchema;
  bodyMediaType?: string;
  /** The body may be absent (an empty body is answered like any other). */
  bodyOptional?: boolean;
  /** The success answer: a JSON schema, or a media type and description (and optionally a literal JSON Schema). */
  answer?: NamedSchema | { mediaType: string; description: string; schema?: JsonSchema };
  /**
   * Statuses of the answer; default 200 "Success". `mediaType`: this status answers plain text of that type instead;
   * `noContent`: this status answers without a body (204).
   */
  success?: readonly { status: number; description: string; mediaType?: string; noContent?: boolean }[];
  errors?: { schema: NamedSchema; cases: readonly ErrorCase[] };
  callbacks?: readonly CallbackSpec[];
  /** Names of components.securitySchemes that apply (any one of them). */
  security?: readonly string[];
}

/** Error cases of a merchant interface, from the one respCode table. */
export function respCodeCases(codes: readonly RespCode[]): ErrorCase[] {
  const cases: ErrorCase[] = codes.map((code) => ({ code, httpStatus: RESP_CODES[code].httpStatus, meaning: RESP_CODES[code].meaning }));
  cases.push({ code: '100001', httpStatus: 413, meaning: 'body over 64 KiB' });
  return cases;
}

const merchantErrors = (codes: readonly RespCode[]) => ({ schema: { name: 'ErrorAnswer', schema: ErrorAnswerSchema }, cases: respCodeCases(codes) });
// Merchant requests: no field besides the interface's own and the signing fields (refuseUnknownFields).
const orderRef = { name: 'OrderRefRequest', schema: OrderRefSchema.extend(SignedRequestFieldsSchema.shape).strict(), rules: ORDER_REF_RULES };

export const PAYMENT_NOTIFICATION: CallbackSpec = {
  name: 'paymentNotification',
  url: '{$request.body#/notifyUrl}',
  summary: 'Payment notification (platform → merchant notifyUrl)',
  description:
    'POSTed as signed JSON once the order reaches a final state the merchant is notified of (always p0000). Answer the '
    + 'plain body `success` within the notification timeout (5 s by default); anything else is a failed delivery, retried '
    + `after ${DEFAULT_NOTIFY_RETRY_SCHEDULE.split(',').join(', ')} unless the merchant has a schedule of its own. The same `
    + 'notification can arrive more than once: process it idempotently. A newer state replaces a pending older one.',
  body: { name: 'PaymentNotification', schema: NotificationSchema },
  headers: [
    { name: 'X-Notify-Id', description: 'The same for every attempt of one notification: `<orderId>-<payStatus>`.' },
    { name: 'X-Notify-Attempt', description: 'Attempt number: 1, 2, …' },
  ],
  acknowledge: 'success',
};

export const REFUND_NOTIFICATION: CallbackSpec = {
  name: 'refundNotification',
  url: '{$request.body#/notifyUrl}',
  summary: 'Refund notification (platform → the refund\'s notifyUrl, default the order\'s)',
  description:
    'POSTed as signed JSON (notifyType refund) once the refund is final: r0000 refunded or r0003 failed. Delivered on the '
    + 'same schedule, with the same signing, headers and acknowledgement as the payment notification; support can replay, '
    + 'pause and redirect it while its refund workflow runs. Process it idempotently.',
  body: { name: 'RefundNotification', schema: RefundNotificationSchema },
  headers: [
    { name: 'X-Notify-Id', description: 'The same for every attempt of one notification: `<refundId>-<refundStatus>`.' },
    { name: 'X-Notify-Attempt', description: 'Attempt number: 1, 2, …' },
  ],
  acknowledge: 'success',
};

/** The merchant API (docs/merchant-api.md). */
export const MERCHANT_OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'post',
    path: '/api/pay',
    operationId: 'unifiedOrder',
    tag: 'merchant',
    summary: 'Unified order (interfaceCode pay)',
    description:
      'Creates the order at the payment channel and answers with the pay credential of its scene. The same request '
      + 'again (same mercNo + mercOrderNo, same parameters) returns the original answer for the whole life of the order; '
      + '999999 means the order is still being created: send the same request again. tradeType 02/03 is a payout to the '
      + 'payee named by payeeAccount, payeeName and payeeAccountType: answered with its orderId once accepted, its '
      + 'outcome notified and queried with the payStatus codes; past the merchant\'s daily payout limit 100012.',
    body: { name: 'UnifiedOrderRequest', schema: UnifiedOrderSchema.extend(SignedRequestFieldsSchema.shape).strict(), rules: UNIFIED_ORDER_RULES },
    answer: { name: 'PayAnswer', schema: PayAnswerSchema },
    errors: merchantErrors(['100001', '100002', '100003', '100004', '100009', '100012', '200001', '200002', '999999']),
    callbacks: [PAYMENT_NOTIFICATION],
  },
  {
    method: 'post',
    path: '/api/query',
    operationId: 'queryOrder',
    tag: 'merchant',
    summary: 'Payment query (interfaceCode query)',
    description: 'The order by mercOrderNo or orderId (one of them is required), with its notification state.',
    body: orderRef,
    answer: { name: 'QueryAnswer', schema: QueryAnswerSchema },
    errors: merchantErrors(['100001', '100002', '100003', '100005', '100009', '999999']),
  },
  {
    method: 'post',
    path: '/api/close',
    operationId: 'closeOrder',
    tag: 'merchant',
    summary: 'Close (interfaceCode close)',
    description:
      'Cancels an unpaid order once the channel confirms (p0005); closing a cancelled order again answers the same. A '
      + 'paid, failed or expired order answers 100006; a channel that does not answer gives 200001 (try again).',
    body: orderRef,
    answer: { name: 'CloseAnswer', schema: CloseAnswerSchema },
    errors: merchantErrors(['100001', '100002', '100003', '100005', '100006', '100009', '200001', '999999']),
  },
  {
    method: 'post',
    path: '/api/refund',
    operationId: 'refund',
    tag: 'merchant',
    summary: 'Refund (interfaceCode refund)',
    description:
      'Refunds part or all of a paid order (p0000), named by mercOrderNo or orderId; refunds may repeat until the amount '
      + 'paid is refunded (100010 beyond what is still refundable, refunds in progress included), within the merchant\'s '
      + 'refund window after payment (100011). The answer is the accepted refund with its current refundStatus; the '
      + 'outcome comes by refund notification and refund query. The same request again (same mercNo + mercRefundNo, same '
      + 'parameters) answers the same refund for its whole life; other parameters under that number answer 100004. A '
      + 'refused request records nothing (its mercRefundNo stays free). 999999: send the same request again.',
    body: {
      name: 'RefundRequest', schema: RefundRequestSchema.extend(SignedRequestFieldsSchema.shape).strict(), rules: REFUND_REQUEST_RULES,
    },
    answer: { name: 'RefundAnswer', schema: RefundAnswerSchema },
    errors: merchantErrors(['100001', '100002', '100003', '100004', '100005', '100006', '100009', '100010', '100011', '999999']),
    callbacks: [REFUND_NOTIFICATION],
  },
  {
    method: 'post',
    path: '/api/refund/query',
    operationId: 'queryRefund',
    tag: 'merchant',
    summary: 'Refund query (interfaceCode refundQuery)',
    description: 'The refund by mercRefundNo or refundId (one of them is required), with its refundStatus and notification state.',
    body: { name: 'RefundRefRequest', schema: RefundRefSchema.extend(SignedRequestFieldsSchema.shape).strict(), rules: REFUND_REF_RULES },
    answer: { name: 'RefundAnswer', schema: RefundAnswerSchema },
    errors: merchantErrors(['100001', '100002', '100003', '100005', '100009', '999999']),
  },
];
