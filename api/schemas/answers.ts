import { z } from 'zod';
import { RESP_CODES, type RespCode } from '../../domain/resp-codes';
import { ALL_SIGN_TYPES } from '../../domain/signing';
import { NotifyState, PayStatus } from '../../domain/pay-status';
import { REFUND_STATUSES, RefundStatus } from '../../domain/refund-status';
import type { PayResponseData } from '../../domain/order';
import type { InterfaceCode } from '../respond';
import { jsonSchema, mercNo, NO_CONTROL_PATTERN } from './fields';

/**
 * The shapes the merchant API sends: signing fields of every request, answers and the payment notification. Requests
 * are validated by the schemas beside this file; these describe what the platform produces, so the OpenAPI document
 * and contract tests share one definition (test/integration/observability.test.ts parses real answers with them).
 */
const RESP_CODE_VALUES = (Object.keys(RESP_CODES) as RespCode[]).sort() as [RespCode, ...RespCode[]];
const INTERFACE_CODES = ['pay', 'query', 'close', 'refund', 'refundQuery'] as const satisfies readonly InterfaceCode[];
const str = () => z.string();

/**
 * The fields every merchant request carries besides its own (checked by api/merchant-auth.ts). With the raw-body
 * sign type the signature is the Paydurable-Signature header instead: `signType` is then HMAC-SHA256-RAW or absent,
 * and `signature` absent.
 */
export const SignedRequestFieldsSchema = z.object({
  mercNo: mercNo(),
  signType: z.enum(ALL_SIGN_TYPES).optional(),
  // A signature with a control character never verifies (100002): stated as the same pattern as text fields.
  signature: z.string().min(1).meta(jsonSchema({ pattern: NO_CONTROL_PATTERN })).optional(),
});

/**
 * Every answer: the outcome, the mode of the key that signed the request, and the signature over all fields (the
 * field form; the raw-body form signs in the Paydurable-Signature header). Unsigned, without livemode, when the
 * request was not authenticated.
 */
export const AnswerEnvelopeSchema = z.object({
  respCode: z.enum(RESP_CODE_VALUES),
  respDesc: str(),
  interfaceCode: z.enum(INTERFACE_CODES),
  mercNo: z.string().max(32).optional(),
  livemode: z.enum(['true', 'false']).optional(),
  signature: str().optional(),
});

/** A non-success answer; a unified order the channel refused still names the orderId it was given. */
export const ErrorAnswerSchema = AnswerEnvelopeSchema.extend({ orderId: str().optional() });

const PayDataSchema = z.object({
  mercOrderNo: str(),
  tradeType: str(),
  tradeAmt: str(),
  tradeTime: str(),
  feeType: str(),
  termType: str(),
  orderId: str(),
  codeUrl: str().optional(),
  imgUrl: str().optional(),
  payInfo: str().optional(),
  mwebUrl: str().optional(),
  resultHtml: str().optional(),
  bankType: str().optional(),
});

/** Unified order answer (respCode 000000): the order and the pay credential of its scene. */
export const PayAnswerSchema = AnswerEnvelopeSchema.extend(PayDataSchema.shape);

/** Payment query answer (respCode 000000): the order's state and its notification state. */
export const QueryAnswerSchema = AnswerEnvelopeSchema.extend({
  mercOrderNo: str(),
  orderId: str(),
  tradeType: str(),
  tradeAmt: str(),
  tradeTime: str(),
  feeType: str(),
  termType: str(),
  paywayCode: str(),
  sceneCode: str(),
  payStatus: z.enum(Object.values(PayStatus) as [PayStatus, ...PayStatus[]]),
  tradeEndTime: str().optional(),
  bankType: str().optional(),
  notifyState: z.enum(Object.values(NotifyState) as [NotifyState, ...NotifyState[]]),
  notifyAttempts: str(),
  notifyNextTime: str().optional(),
  /** Refunded so far (successful refunds), yuan. */
  refundedAmt: str(),
  /** The order's refunds, oldest first, as a JSON array of {mercRefundNo, refundId, refundAmt, refundStatus, refundEndTime?}; absent when none. */
  refunds: str().optional(),
});

/** Refund and refund-query answer (respCode 000000): the refund and its current refundStatus. */
export const RefundAnswerSchema = AnswerEnvelopeSchema.extend({
  mercOrderNo: str(),
  orderId: str(),
  mercRefundNo: str(),
  refundId: str(),
  refundAmt: str(),
  refundStatus: z.enum(REFUND_STATUSES as [RefundStatus, ...RefundStatus[]]),
  refundTime: str(),
  refundEndTime: str().optional(),
  failReason: str().optional(),
  notifyState: z.enum(Object.values(NotifyState) as [NotifyState, ...NotifyState[]]),
});

/** The refund notification POSTed to the refund's notifyUrl (default: the order's), signed as payment notifications are. */
export const RefundNotificationSchema = z.object({
  notifyType: z.literal('refund'),
  mercNo: str(),
  mercOrderNo: str(),
  orderId: str(),
  mercRefundNo: str(),
  refundId: str(),
  refundAmt: str(),
  refundStatus: z.enum([RefundStatus.SUCCESS, RefundStatus.FAILED]),
  refundEndTime: str().optional(),
  charset: z.literal('UTF-8'),
  version: z.literal('1.0'),
  signType: z.enum(ALL_SIGN_TYPES),
  locale: z.literal('CN'),
  livemode: z.enum(['true', 'false']),
  signature: str().optional(),
});

/** Close answer (respCode 000000): the order is cancelled. */
export const CloseAnswerSchema = AnswerEnvelopeSchema.extend({
  mercOrderNo: str(),
  orderId: str(),
  payStatus: z.literal(PayStatus.CANCELLED),
});

/** The payment notification POSTed to the order's notifyUrl (domain/notification.ts builds it). */
export const NotificationSchema = z.object({
  mercNo: str(),
  mercOrderNo: str(),
  orderId: str(),
  tradeType: str(),
  tradeAmt: str(),
  tradeTime: str(),
  feeType: str(),
  termType: str(),
  tradeEndTime: str().optional(),
  payStatus: z.enum(Object.values(PayStatus) as [PayStatus, ...PayStatus[]]),
  bankType: str().optional(),
  charset: z.literal('UTF-8'),
  version: z.literal('1.0'),
  signType: z.enum(ALL_SIGN_TYPES),
  locale: z.literal('CN'),
  /** "true" for a live order, "false" for a test order. */
  livemode: z.enum(['true', 'false']),
  /** Absent with HMAC-SHA256-RAW (signed in the Paydurable-Signature header). */
  signature: str().optional(),
});

// The pay answer data must name exactly the fields of PayResponseData (compile-time guard against drift).
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : never;
export const PAY_DATA_MATCHES_DOMAIN: SameKeys<z.infer<typeof PayDataSchema>, PayResponseData> = true;
