import { Router, type Request, type Response } from 'express';
import { SupportError } from '../../../domain/errors';
import { operatorOf } from '../support/auth';
import { parseSupport } from '../../schemas/support';
import {
  CreateMerchantBodySchema, LimitsBodySchema, MerchantParamsSchema, NotifyScheduleBodySchema, PayoutSettingsBodySchema, RotateKeyBodySchema,
  RoutesBodySchema, SignTypesBodySchema, StatusBodySchema,
} from '../../schemas/admin';
import { channelAccountAdmins } from '../../../channels/registry';
import type { MerchantAdminEnv } from '../../../merchants/admin-change';
import { createMerchantAccount } from '../../../merchants/create-merchant';
import { merchantView } from '../../../merchants/merchant-view';
import { setMerchantEnabled } from '../../../merchants/merchant-status';
import { rotateKey } from '../../../merchants/rotate-key';
import { setLimits, setNotifySchedule, setPayouts, setSignTypes } from '../../../merchants/settings';
import { parsePayoutLimit } from '../../../domain/payout';
import { setRoutes } from '../../../merchants/routes';
import { setChannelAccount } from '../../../merchants/channel-account';

/** A required JSON body (every route here but disable/enable): absent, or not JSON, is 400 naming the request. */
function body<S extends Parameters<typeof parseSupport>[0]>(schema: S, req: Request): ReturnType<typeof parseSupport<S>> {
  if (req.body === undefined) throw SupportError.invalid('request', 'body is required: a JSON object (Content-Type: application/json)');
  return parseSupport(schema, req.body);
}

/** A payout limit the schema let through, as fen (null = the platform default). */
function limitFen(dailyLimit: string | null): number | null {
  if (dailyLimit === null) return null;
  const parsed = parsePayoutLimit(dailyLimit);
  if (!parsed.ok) throw SupportError.invalid('dailyLimit', parsed.rule);
  return parsed.fen;
}

/** An answer that carries a new key: never cached by anything between the API and the operator. */
const noStore = (res: Response) => res.set('Cache-Control', 'no-store');

/**
 * The admin API's merchant routes: each parses its path and body, then calls one use case of merchants/ (one
 * transaction and one admin_audit row with the authenticated operator as the actor).
 */
export function adminMerchantRoutes(env: MerchantAdminEnv, now: () => number): Router {
  const router = Router();
  const mercNoOf = (params: unknown) => parseSupport(MerchantParamsSchema, params).mercNo;

  router.post('/merchants', async (req, res) => {
    const input = body(CreateMerchantBodySchema, req);
    const actor = operatorOf(res);
    const created = await createMerchantAccount(env, input, actor);
    noStore(res).status(201).location(`/admin/v1/merchants/${created.merchant.mercNo}`).json({
      merchant: await merchantView(env, created.merchant.mercNo, now()), liveKey: created.liveKey, testKey: created.testKey, actor,
    });
  });

  router.get('/merchants/:mercNo', async (req, res) => {
    res.json(await merchantView(env, mercNoOf(req.params), now()));
  });

  for (const [action, enabled] of [['disable', false], ['enable', true]] as const) {
    router.post(`/merchants/:mercNo/${action}`, async (req, res) => {
      const mercNo = mercNoOf(req.params);
      const status = parseSupport(StatusBodySchema, req.body);
      const actor = operatorOf(res);
      res.json({ ...(await setMerchantEnabled(env, mercNo, enabled, actor, status.reason)), actor });
    });
  }

  router.post('/merchants/:mercNo/keys/rotate', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(RotateKeyBodySchema, req);
    const actor = operatorOf(res);
    noStore(res).json({ ...(await rotateKey(env, mercNo, input.mode, input.overlapMs, actor, now())), actor });
  });

  router.put('/merchants/:mercNo/notify-schedule', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(NotifyScheduleBodySchema, req);
    const actor = operatorOf(res);
    res.json({ ...(await setNotifySchedule(env, mercNo, input.notifyScheduleMs, actor)), actor });
  });

  router.put('/merchants/:mercNo/sign-types', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(SignTypesBodySchema, req);
    const actor = operatorOf(res);
    res.json({ ...(await setSignTypes(env, mercNo, input.signTypes, actor)), actor });
  });

  router.put('/merchants/:mercNo/routes', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(RoutesBodySchema, req);
    const actor = operatorOf(res);
    res.json({ ...(await setRoutes(env, mercNo, input.paywayCode, input.channels, actor)), actor });
  });

  router.put('/merchants/:mercNo/limits', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(LimitsBodySchema, req);
    const actor = operatorOf(res);
    res.json({ ...(await setLimits(env, mercNo, input, actor)), actor });
  });

  router.put('/merchants/:mercNo/payouts', async (req, res) => {
    const mercNo = mercNoOf(req.params);
    const input = body(PayoutSettingsBodySchema, req);
    const actor = operatorOf(res);
    const change = {
      ...(input.dailyLimit !== undefined ? { dailyLimitFen: limitFen(input.dailyLimit) } : {}),
      ...(input.approvalRequired !== undefined ? { approvalRequired: input.approvalRequired } : {}),
    };
    res.json({ ...(await setPayouts(env, mercNo, change, actor)), actor });
  });

  // One route per channel with per-merchant accounts: each channel validates its own account (ChannelPlugin.accountAdmin).
  for (const [channel, admin] of channelAccountAdmins()) {
    router.put(`/merchants/:mercNo/channel-accounts/${channel}`, async (req, res) => {
      const mercNo = mercNoOf(req.params);
      const account = body(admin.schema, req);
      const actor = operatorOf(res);
      res.json({ ...(await setChannelAccount(env, mercNo, channel, admin, account, actor)), actor });
    });
  }
  return router;
}
