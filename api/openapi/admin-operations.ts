import { RESP_CODES } from '../../domain/resp-codes';
import { SUPPORT_ERROR_CODES, type SupportErrorCode } from '../../domain/errors';
import { channelAccountAdmins } from '../../channels/registry';
import {
  CreateMerchantBodySchema, LimitsBodySchema, MerchantParamsSchema, NotifyScheduleBodySchema, PayoutSettingsBodySchema, RotateKeyBodySchema, RoutesBodySchema,
  SignTypesBodySchema, StatusBodySchema,
} from '../schemas/admin';
import { MEANINGS, SupportErrorAnswerSchema } from './support-operations';
import type { ErrorCase, NamedSchema, OperationSpec } from './operations';
import { ADMIN_BODY_LIMIT_KIB } from '../routes/support/errors';

const ADMIN_MEANINGS: Partial<Record<SupportErrorCode, string>> = {
  unauthorized: 'operator token missing or not the token of an operator',
  forbidden: 'the token is a support-only operator\'s (SUPPORT_OPERATORS): the admin API needs an admin operator (ADMIN_OPERATORS)',
  not_found: 'no such merchant or route',
  conflict: 'the merchant number exists already',
  not_configured: 'the admin API is off: ADMIN_OPERATORS is not set',
};

function adminErrors(...codes: SupportErrorCode[]): { schema: NamedSchema; cases: ErrorCase[] } {
  const all: SupportErrorCode[] = ['invalid_request', 'unauthorized', 'forbidden', 'not_found', ...codes, 'not_configured'];
  const cases: ErrorCase[] = all.map((code) => ({
    code, httpStatus: RESP_CODES[SUPPORT_ERROR_CODES[code]].httpStatus, meaning: ADMIN_MEANINGS[code] ?? MEANINGS[code],
  }));
  cases.push({ code: 'invalid_request', httpStatus: 413, meaning: `body over ${ADMIN_BODY_LIMIT_KIB} KiB` }, { code: 'internal', httpStatus: 500, meaning: 'unexpected error (logged)' });
  return { schema: { name: 'SupportErrorAnswer', schema: SupportErrorAnswerSchema }, cases };
}

const json = (description: string) => ({ mediaType: 'application/json', description });
const merchant = { name: 'AdminMerchantParams', schema: MerchantParamsSchema };
const common = { tag: 'admin', security: ['adminToken'] } as const;

/**
 * The admin API under /admin/v1 (api/routes/admin/*), with the request schemas it validates with
 * (api/schemas/admin.ts; channel accounts: each channel's own schema). A new admin route is one entry here.
 */
export const ADMIN_OPERATIONS: readonly OperationSpec[] = [
  {
    ...common, method: 'post', path: '/admin/v1/merchants', operationId: 'adminCreateMerchant',
    summary: 'Create a merchant with a live and a test key (the keys are in this answer only)',
    body: { name: 'AdminCreateMerchantBody', schema: CreateMerchantBodySchema },
    answer: json('{merchant, liveKey, testKey, actor}: the keys are shown once (Cache-Control: no-store); Location: /admin/v1/merchants/{mercNo}'),
    success: [{ status: 201, description: 'Created: the merchant and its two new keys' }],
    errors: adminErrors('conflict'),
  },
  {
    ...common, method: 'get', path: '/admin/v1/merchants/:mercNo', operationId: 'adminShowMerchant',
    summary: 'A merchant: settings, limits, the ids of the keys that verify now (never a secret), routes, latest audited changes',
    params: merchant, answer: json('The merchant'), errors: adminErrors(),
  },
  ...(['disable', 'enable'] as const).map((action): OperationSpec => ({
    ...common, method: 'post', path: `/admin/v1/merchants/:mercNo/${action}`, operationId: `admin${action === 'disable' ? 'Disable' : 'Enable'}Merchant`,
    summary: action === 'disable'
      ? 'Disable a merchant: its requests are refused 100003 from now on; its open orders still finish and notify'
      : 'Enable a disabled merchant again',
    params: merchant, body: { name: 'AdminStatusBody', schema: StatusBodySchema }, bodyOptional: true,
    answer: json('{mercNo, status, previousStatus, actor}'), errors: adminErrors(),
  })),
  {
    ...common, method: 'post', path: '/admin/v1/merchants/:mercNo/keys/rotate', operationId: 'adminRotateKey',
    summary: 'Rotate the live or test key: a new key becomes current, the old one verifies for the overlap (0 = revoked now)',
    params: merchant, body: { name: 'AdminRotateKeyBody', schema: RotateKeyBodySchema },
    answer: json('{mercNo, mode, keyId, key, previousKeysVerifyUntil, actor}: the key is shown once (Cache-Control: no-store)'),
    errors: adminErrors(),
  },
  {
    ...common, method: 'put', path: '/admin/v1/merchants/:mercNo/notify-schedule', operationId: 'adminSetNotifySchedule',
    summary: "Set the merchant's notification retry schedule (orders placed from now on)",
    params: merchant, body: { name: 'AdminNotifyScheduleBody', schema: NotifyScheduleBodySchema },
    answer: json('{mercNo, notifyScheduleMs, actor}'), errors: adminErrors(),
  },
  {
    ...common, method: 'put', path: '/admin/v1/merchants/:mercNo/sign-types', operationId: 'adminSetSignTypes',
    summary: 'Set the sign types the merchant\'s requests may use',
    params: merchant, body: { name: 'AdminSignTypesBody', schema: SignTypesBodySchema },
    answer: json('{mercNo, signTypes, actor}'), errors: adminErrors(),
  },
  {
    ...common, method: 'put', path: '/admin/v1/merchants/:mercNo/routes', operationId: 'adminSetRoutes',
    summary: 'Set the live channels of one payway (or *), tried in order; an empty list removes them',
    params: merchant, body: { name: 'AdminRoutesBody', schema: RoutesBodySchema },
    answer: json('{mercNo, routes, actor}: every route of the merchant after the change'), errors: adminErrors(),
  },
  {
    ...common, method: 'put', path: '/admin/v1/merchants/:mercNo/limits', operationId: 'adminSetLimits',
    summary: 'Set the merchant\'s own limits: its request rate and burst, its cap on open orders and its refund window',
    params: merchant, body: { name: 'AdminLimitsBody', schema: LimitsBodySchema },
    answer: json('{mercNo, maxOpenOrders, refundWindowDays, rateLimitRps, rateLimitBurst, actor}'), errors: adminErrors(),
  },
  {
    ...common, method: 'put', path: '/admin/v1/merchants/:mercNo/payouts', operationId: 'adminSetPayouts',
    summary: 'Set the merchant\'s payout settings: its daily payout limit (next payout) and whether payouts wait for approval (payouts accepted from now on)',
    params: merchant, body: { name: 'AdminPayoutSettingsBody', schema: PayoutSettingsBodySchema },
    answer: json('{mercNo, dailyLimit, approvalRequired, actor}: dailyLimit in yuan, null = the platform\'s PAYOUT_DAILY_LIMIT'), errors: adminErrors(),
  },
  ...channelAccountAdmins().map(([channel, admin]): OperationSpec => ({
    ...common, method: 'put', path: `/admin/v1/merchants/:mercNo/channel-accounts/${channel}`,
    operationId: `adminSet${channel[0]!.toUpperCase()}${channel.slice(1)}Account`,
    summary: `Create or replace the merchant's own ${channel} account (sealed at rest; keys never shown again)`,
    params: merchant, body: { name: `Admin${channel[0]!.toUpperCase()}${channel.slice(1)}AccountBody`, schema: admin.schema },
    answer: json('{mercNo, channel, account, actor}: the account\'s identifiers, never a key'), errors: adminErrors(),
  })),
];
