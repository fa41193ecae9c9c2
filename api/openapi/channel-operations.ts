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
