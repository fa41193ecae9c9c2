import { z } from 'zod';
import { RESP_CODES } from '../../domain/resp-codes';
import { channelNotifyPath } from '../../channels/urls';
import { SandboxOrderParamsSchema, SandboxPayBodySchema } from '../schemas/sandbox';
import type { ErrorCase, OperationSpec } from './operations';

/**
 * The channel side of the merchant listener: channel callbacks (what a payment channel POSTs to us) and, where the
 * sandbox runs, the sandbox channel's payer pages. Their schemas are the ones the routes validate with.
 */

/** An IPayNow N001 notification: a form of string fields (docs/ipaynow-channel.md), signed by IPayNow. */
/** An Alipay asynchronous notification (trade_status_sync): a form of string fields, RSA2-signed by Alipay. */
const AlipayNotifyFormSchema = z.record(z.string(), z.string())
  .describe('Alipay notification fields (notify_type, app_id, out_trade_no, trade_no, trade_status, total_amount, sign_type, sign, …), application/x-www-form-urlencoded. Only a notification that verifies (RSA2 with Alipay\'s public key of the order\'s Alipay application, after removing sign and sign_type) changes anything and is stored; any other body is answered fail.');

/** A WeChat Pay API v3 notification envelope: JSON, its resource sealed with AEAD_AES_256_GCM under the APIv3 key. */
const WechatpayNotificationSchema = z.object({
  id: z.string(),
  create_time: z.string(),
  resource_type: z.string().describe('encrypt-resource'),
  event_type: z.string().describe('TRANSACTION.SUCCESS, REFUND.SUCCESS, REFUND.ABNORMAL or REFUND.CLOSED'),
  summary: z.string(),
  resource: z.object({
    original_type: z.string(),
    algorithm: z.string().describe('AEAD_AES_256_GCM'),
    ciphertext: z.string().describe('base64 of the encrypted resource followed by the 16-byte tag'),
    associated_data: z.string().optional(),
    nonce: z.string(),
  }),
}).describe('Signed by WeChat Pay: headers Wechatpay-Timestamp, Wechatpay-Nonce, Wechatpay-Signature (SHA256withRSA over `timestamp\\nnonce\\nbody\\n`) and Wechatpay-Serial (the platform certificate serial or public key id `PUB_KEY_ID_…` naming the key). Only a notification that verifies with the key of the order\'s WeChat Pay account, is not a SIGNTEST probe, is at most five minutes old and decrypts with that account\'s APIv3 key changes anything and is stored.');

const WechatpayFailureSchema = z.object({
  code: z.literal('FAIL'),
  message: z.string(),
}).describe('WeChat Pay\'s failure answer: it sends the notification again later.');

const N001FormSchema = z.record(z.string(), z.string())
  .describe('N001 fields (funcode, appId, mhtOrderNo, transStatus, mhtOrderAmt, signature, …), application/x-www-form-urlencoded, at most 16 KiB. Only a notification that verifies (signed with the key of the order\'s IPayNow account, for one of our IPayNow orders) changes anything and is stored; any other body is refused with success=N.');

/** A payer-side error: `{respCode, respDesc}` (no merchant, no interface, unsigned). */
const ChannelErrorAnswerSchema = z.object({
  respCode: z.enum(['100001', '100005', '999999']),
  respDesc: z.string().describe('For 100001: the field and the rule.'),
});
const channelErrors = (cases: ErrorCase[]) => ({ schema: { name: 'ChannelErrorAnswer', schema: ChannelErrorAnswerSchema }, cases });
const invalid: ErrorCase = { code: '100001', httpStatus: RESP_CODES['100001'].httpStatus, meaning: 'a field is invalid (respDesc names it and the rule); unknown fields are refused' };
const tooLarge: ErrorCase = { code: '100001', httpStatus: 413, meaning: 'body over 16 KiB' };
const notFound: ErrorCase = { code: '100005', httpStatus: RESP_CODES['100005'].httpStatus, meaning: 'no sandbox order with this number' };

const SandboxPayAnswerSchema = z.object({
  paid: z.boolean(),
  status: z.string().describe('The sandbox order\'s status: open, paid or closed.'),
  message: z.string(),
});

export const CHANNEL_CALLBACK_OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'post', path: channelNotifyPath('ipaynow'), operationId: 'ipaynowNotify', tag: 'channels',
    summary: 'IPayNow N001 payment notification (IPayNow → platform)',
    description:
      'The body is read raw whatever its Content-Type. The answer is the plain text IPayNow reads: `success=Y` (received) '
      + 'or `success=N` (send it again later), HTTP 200 also for a body that is malformed (not UTF-8, not a form, a key '
      + 'twice, a control character), names no IPayNow order of ours or does not verify: such bodies change nothing and '
      + 'are not stored. Over RATE_LIMIT_N001_RPS per source address: HTTP 429 `success=N` with Retry-After.',
    body: { name: 'IpaynowN001Form', schema: N001FormSchema },
    bodyMediaType: 'application/x-www-form-urlencoded',
    bodyOptional: true,
    answer: { mediaType: 'text/plain', description: '`success=Y` or `success=N`', schema: { type: 'string', enum: ['success=Y', 'success=N'] } },
    success: [
      { status: 200, description: 'success=Y: received (or a duplicate of one received); success=N: not received, send it again' },
      { status: 429, description: 'success=N: this source address is over RATE_LIMIT_N001_RPS (Retry-After in seconds)' },
    ],
  },
  {
    method: 'post', path: channelNotifyPath('alipay'), operationId: 'alipayNotify', tag: 'channels',
    summary: 'Alipay asynchronous payment notification (Alipay → platform)',
    description:
      'The body is read raw whatever its Content-Type. The answer is the plain text Alipay reads: exactly `success` '
      + '(received) or `fail` (send it again later), HTTP 200 also for a body that is malformed (not UTF-8, not a form, '
      + 'a control character), names no Alipay order of ours or does not verify: such bodies change nothing and are not '
      + 'stored. Over RATE_LIMIT_N001_RPS per source address: HTTP 429 `fail` with Retry-After.',
    body: { name: 'AlipayNotifyForm', schema: AlipayNotifyFormSchema },
    bodyMediaType: 'application/x-www-form-urlencoded',
    bodyOptional: true,
    answer: { mediaType: 'text/plain', description: '`success` or `fail`', schema: { type: 'string', enum: ['success', 'fail'] } },
    success: [
      { status: 200, description: 'success: received (or a duplicate of one received); fail: not received, send it again' },
      { status: 429, description: 'fail: this source address is over RATE_LIMIT_N001_RPS (Retry-After in seconds)' },
    ],
  },
  {
    method: 'post', path: channelNotifyPath('wechatpay'), operationId: 'wechatpayNotify', tag: 'channels',
    summary: 'WeChat Pay API v3 notification (WeChat Pay → platform)',
    description:
      'The body is read raw whatever its Content-Type (at most 16 KiB). HTTP 204 without a body: received (or a duplicate '
      + 'of one received; REFUND.* notifications are recorded). Anything else is `{"code":"FAIL","message":…}` and WeChat '
      + 'Pay sends it again later (15s, 15s, 30s, 3m, 10m, 20m, 30m, 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h): HTTP 401 for a body '
      + 'that is not a notification envelope, is unsigned or wrongly signed, is a SIGNTEST probe, is older than five minutes, '
      + 'does not decrypt, or names no WeChat Pay order of ours (such bodies change nothing and are not stored); HTTP 400 '
      + 'for a verified one not taken now (a state we do not know, or being handled). Over RATE_LIMIT_N001_RPS per source '
      + 'address: HTTP 429 with the same JSON and Retry-After.',
    body: { name: 'WechatpayNotification', schema: WechatpayNotificationSchema },
    bodyOptional: true,
    answer: { mediaType: 'application/json', description: 'No body (204)' },
    success: [{ status: 204, description: 'Received (or a duplicate of one received)', noContent: true }],
    errors: {
      schema: { name: 'WechatpayNotifyFailure', schema: WechatpayFailureSchema },
      cases: [
        { code: 'FAIL', httpStatus: 401, meaning: 'refused before it verified (unreadable, unsigned, wrongly signed, SIGNTEST, stale, not ours): not stored' },
        { code: 'FAIL', httpStatus: 400, meaning: 'verified but not taken now (a state we do not know, being handled, or the hand-over failed): send it again' },
        { code: 'FAIL', httpStatus: 429, meaning: 'this source address is over RATE_LIMIT_N001_RPS (Retry-After in seconds)' },
      ],
    },
  },
];

const cashier = { name: 'SandboxOrderParams', schema: SandboxOrderParamsSchema };

/** The sandbox channel's payer side (only where SANDBOX_ENABLED: off in production). */
export const SANDBOX_OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'get', path: '/sandbox/cashier/:no', operationId: 'sandboxCashier', tag: 'sandbox',
    summary: 'The sandbox cashier page of a test order (what codeUrl / mwebUrl open)',
    params: cashier,
    answer: { mediaType: 'text/html', description: 'HTML page' },
    success: [{ status: 200, description: 'The cashier page' }, { status: 404, description: 'No sandbox order with this number (an HTML page)' }],
  },
  {
    method: 'get', path: '/sandbox/cashier/:no/qr.svg', operationId: 'sandboxCashierQr', tag: 'sandbox',
    summary: 'QR code of the cashier page',
    params: cashier,
    answer: { mediaType: 'image/svg+xml', description: 'SVG image' },
    success: [{ status: 200, description: 'The QR image' }, { status: 404, description: 'No sandbox order with this number', mediaType: 'text/plain' }],
  },
  {
    method: 'post', path: '/sandbox/cashier/:no/pay', operationId: 'sandboxCashierPay', tag: 'sandbox',
    summary: "The cashier page's Pay button: pay the order for its amount",
    params: cashier,
    answer: { mediaType: 'text/html', description: 'HTML page' },
    success: [
      { status: 303, description: "Paid: the payer is sent to the order's returnUrl (Location)" },
      { status: 200, description: 'Paid (an order from before returnUrl was stored: no page to return to)' },
      { status: 409, description: 'Not paid: the order is closed, already paid or not a test order' },
    ],
    errors: channelErrors([{ ...invalid, meaning: 'a body the parser refuses' }, notFound, tooLarge]),
  },
  {
    method: 'post', path: '/sandbox/api/pay', operationId: 'sandboxPay', tag: 'sandbox',
    summary: 'Pay a test order as the payer would (JSON, for scripts and tests)',
    body: { name: 'SandboxPayRequest', schema: SandboxPayBodySchema },
    answer: { name: 'SandboxPayAnswer', schema: SandboxPayAnswerSchema },
    success: [{ status: 200, description: 'Paid' }, { status: 409, description: 'Not paid: closed, already paid, another amount or not a test order' }],
    errors: channelErrors([invalid, notFound, tooLarge]),
  },
];

const QrParamsSchema = z.object({
  orderId: z.string().regex(/^\d{1,32}$/).describe('The orderId of a scan order (22 digits).'),
}).describe('Path parameters of the QR image.');
const QrQuerySchema = z.object({
  k: z.string().describe("The order's link token, as the imgUrl of the unified order's answer carries it."),
}).describe('Query of the QR image.');

/** Payer-side pages of every channel on the merchant listener. */
export const PAYER_OPERATIONS: readonly OperationSpec[] = [
  {
    method: 'get', path: '/qr/:orderId.svg', operationId: 'orderQrImage', tag: 'payer',
    summary: "QR image of a scan order's codeUrl (the imgUrl of the unified order's answer), whatever channel issued it",
    description: 'Without the order\'s link token, or for an order without a codeUrl, the answer is the same 404, so an orderId alone reveals nothing.',
    params: { name: 'QrParams', schema: QrParamsSchema },
    query: { name: 'QrQuery', schema: QrQuerySchema },
    answer: { mediaType: 'image/svg+xml', description: 'SVG image' },
    success: [{ status: 200, description: 'The QR image' }, { status: 404, description: 'No QR code for this order (or no valid link token)', mediaType: 'text/plain' }],
  },
];
