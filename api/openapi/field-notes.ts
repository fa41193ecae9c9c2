import { SUPPORTED_SCENES } from '../../domain/payways';
import { MAX_ORDER_PERIOD_MIN } from '../schemas/unified-order';

/**
 * What a merchant API field means and the rules the schema cannot express (cross-field rules, formats the code
 * checks). The generator adds these as `description` to every property of that name that has none, so one note
 * serves the request, the answers and the notification. test/unit/openapi.test.ts fails on a note for a field that
 * no schema has, and on a merchant field without a note.
 */
const offeredScenes = Object.entries(SUPPORTED_SCENES).map(([payway, scenes]) => `${payway} ${scenes.join('/')}`).join('; ');

export const FIELD_NOTES: Record<string, string> = {
  mercNo: 'Merchant number assigned by the platform.',
  mercOrderNo: "The merchant's order number: visible ASCII without spaces, unique per merchant. The same request again returns the original answer; other parameters with the same number answer 100004.",
  signType: 'Signature algorithm, one the merchant has enabled: HMAC-SHA256-RAW (the Paydurable-Signature header over the exact body; may be omitted), or the field forms HMAC-SHA256 and MD5 (legacy). The answers and notifications of this order are signed the same way.',
  signature: 'Field forms only (absent with HMAC-SHA256-RAW): uppercase hex MD5 or HMAC-SHA256 over every non-empty field except signature, keys sorted, joined as k=v&k=v, then &key=<merchant key>.',
  livemode: '"true": a live order (live key, real channels); "false": a test order (test key, the sandbox only). Signed like every field.',
  subject: 'Goods title. At least one of subject and body is required.',
  body: 'Goods description. At least one of subject and body is required.',
  tradeType: '01 pay. 02 payout and 03 withdrawal are answered 200002 (not supported yet).',
  tradeAmt: 'Amount in yuan with at most two decimals, greater than 0 (e.g. 1.23); answers always carry two decimals.',
  feeType: 'Currency: CNY only (the default).',
  tradeTime: 'Order time yyyyMMddHHmmss, China Standard Time; at most one day in the future.',
  orderPeriod: `Validity in whole minutes, 1 to ${MAX_ORDER_PERIOD_MIN}; tradeTime + orderPeriod must still be in the future. The order expires (p0006) then.`,
  notifyUrl: 'http/https URL the payment notification is POSTed to (see the paymentNotification webhook).',
  returnUrl: 'http/https URL of the page the payer returns to.',
  refererUrl: 'http/https URL of the page the payment started from.',
  termType: 'Terminal type of the payer.',
  paywayCode: `Payment method. Offered scenes: ${offeredScenes}. Other pairs answer 200002.`,
  sceneCode: 'Payment scene; decides which pay credential the answer carries.',
  ip: "The payer's IPv4 or IPv6 address.",
  merchantId: 'Sub-merchant identifier (free text).',
  storeId: 'Store identifier (free text).',
  payeeId: 'Payee identifier (free text).',
  remark: 'Free-text remark.',
  attach: 'Free-text data kept with the order. Alipay jspay reads the payer from it: {"alipayBuyerId":"2088…"} or {"alipayOpenId":"…"}; without one that order is refused with 100001 naming attach.',
  deviceInfo: 'Required for WeChat H5 payments (paywayCode wxpay, sceneCode h5).',
  mchAppName: 'App or site name; required for WeChat H5 payments.',
  mchAppId: 'App id or site URL; required for WeChat H5 payments.',
  bankCode: 'Bank code; required for e-bank payments (sceneCode ebank).',
  payType: 'E-bank card type: 1 debit (default), 2 credit, 3 either. Only with sceneCode ebank.',
  quickPayAttach: 'Quick-pay extension data (free text).',
  orderId: 'Platform order number (22 digits). Query and close accept it instead of mercOrderNo.',
  respCode: 'Outcome code; see the respCode table. The HTTP status follows it.',
  respDesc: 'Outcome text; for 100001 it names the field and the rule.',
  interfaceCode: 'The interface answered: pay, query or close.',
  codeUrl: 'Scan scene: the content of the QR code to show the payer.',
  imgUrl: 'Scan scene: URL of a QR code image of codeUrl. It carries an unguessable per-order token: only this exact URL serves the image.',
  payInfo: 'jspay and app scenes: the data to hand to the wallet SDK or JSAPI.',
  mwebUrl: 'h5 scene: the URL to send the payer to.',
  resultHtml: 'ebank and gateway scenes: an auto-submitting HTML form.',
  bankType: 'Bank or wallet the payer used, once the channel reports it.',
  payStatus: 'p0001 submitted, p0002 paying, p0000 paid, p0004 failed, p0005 cancelled, p0006 expired.',
  tradeEndTime: 'Time the order reached its final state, yyyyMMddHHmmss.',
  notifyState: 'Notification delivery: none, pending, paused, delivered (the merchant answered success) or exhausted (schedule used up).',
  notifyAttempts: 'Notification attempts made so far.',
  notifyNextTime: 'Time of the next notification attempt, yyyyMMddHHmmss, while pending.',
  charset: 'Always UTF-8.',
  version: 'Always 1.0.',
  locale: 'Always CN.',
};
