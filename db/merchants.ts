import { mercNoProblem } from '../domain/merchant-no';
import type { Queryable } from './pool';
import { FINAL_STATUSES, PayStatus } from '../domain/pay-status';
import { ALL_SIGN_TYPES, type SignType } from '../domain/signing';
import type { Keyring } from '../secrets/keyring';
import { addMerchantKey, findVerifyingKeys, generateSignKey, type MerchantKey } from './merchant-keys';

export interface Merchant {
  mercNo: string;
  name: string;
  status: 'active' | 'disabled';
  /** Retry delays after the first attempt (ms); null = platform default. */
  notifyScheduleMs: number[] | null;
  notifyStatuses: PayStatus[];
  /** The sign types this merchant's requests may use. */
  signTypes: SignType[];
  /** Days after payment within which refunds are accepted; null = the platform default (REFUND_WINDOW_DAYS). */
  refundWindowDays: number | null;
  /** Cap on orders not yet final; null = the platform's MAX_OPEN_ORDERS_PER_MERCHANT, 0 = no cap. */
  maxOpenOrders: number | null;
  /** Requests per second on the merchant interfaces; null = RATE_LIMIT_MERCHANT_RPS, 0 = no limit. */
  rateLimitRps: number | null;
  /** Requests per 10 s beyond that; null = RATE_LIMIT_MERCHANT_BURST. */
  rateLimitBurst: number | null;
}

interface Row {
  merc_no: string;
  name: string;
  status: Merchant['status'];
  notify_schedule_ms: number[] | null;
  notify_statuses: string[];
  sign_types: string[];
  refund_window_days: number | null;
  max_open_orders: number | null;
  rate_limit_rps: number | null;
  rate_limit_burst: number | null;
}

const toMerchant = (r: Row): Merchant => ({
  mercNo: r.merc_no,
  name: r.name,
  status: r.status,
  notifyScheduleMs: r.notify_schedule_ms,
  notifyStatuses: r.notify_statuses.filter((s): s is PayStatus => (FINAL_STATUSES as readonly string[]).includes(s)),
  signTypes: r.sign_types.filter((s): s is SignType => (ALL_SIGN_TYPES as readonly string[]).includes(s)),
  refundWindowDays: r.refund_window_days ?? null,
  maxOpenOrders: r.max_open_orders ?? null,
  rateLimitRps: r.rate_limit_rps ?? null,
  rateLimitBurst: r.rate_limit_burst ?? null,
});

export async function findMerchant(db: Queryable, mercNo: string): Promise<Merchant | null> {
  const { rows } = await db.query<Row>('SELECT * FROM merchants WHERE merc_no = $1', [mercNo]);
  return rows[0] ? toMerchant(rows[0]) : null;
}

/** A merchant with the keys that verify now (current and rotated-but-overlapping, newest first). */
export interface MerchantWithKeys extends Merchant {
  keys: MerchantKey[];
}

export async function findMerchantWithKeys(db: Queryable, keyring: Keyring, mercNo: string, nowMs: number): Promise<MerchantWithKeys | null> {
  const merchant = await findMerchant(db, mercNo);
  return merchant ? { ...merchant, keys: await findVerifyingKeys(db, keyring, mercNo, nowMs) } : null;
}

export interface NewMerchant {
  mercNo: string;
  name: string;
  /** Given secrets (tests, imports); by default both are random. */
  liveKey?: string;
  testKey?: string;
  notifyScheduleMs?: number[] | null;
  notifyStatuses?: PayStatus[];
  /** Default: the raw-body HMAC only (the strong one); the MD5 form is legacy. */
  signTypes?: SignType[];
}

export interface CreatedMerchant {
  merchant: Merchant;
  /** The secrets, for the one-time hand-over (0600 file); null when the merchant existed already. */
  liveKey: string | null;
  testKey: string | null;
}

/** Creates a merchant with a live and a test key; an existing one is left as it is (and no key is returned). */
export async function createMerchant(db: Queryable, keyring: Keyring, m: NewMerchant): Promise<CreatedMerchant> {
  const problem = mercNoProblem(m.mercNo);
  if (problem) throw new Error(`mercNo ${problem}`);
  const { rowCount } = await db.query(
    `INSERT INTO merchants (merc_no, name, notify_schedule_ms, notify_statuses, sign_types)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merc_no) DO NOTHING`,
    [m.mercNo, m.name, m.notifyScheduleMs ?? null, m.notifyStatuses ?? FINAL_STATUSES, m.signTypes ?? ['HMAC-SHA256-RAW']],
  );
  let liveKey: string | null = null;
  let testKey: string | null = null;
  if (rowCount === 1) {
    liveKey = (await addMerchantKey(db, keyring, m.mercNo, 'live', m.liveKey ?? generateSignKey())).secret;
    testKey = (await addMerchantKey(db, keyring, m.mercNo, 'test', m.testKey ?? generateSignKey())).secret;
  }
  const stored = await findMerchant(db, m.mercNo);
  if (!stored) throw new Error(`merchant ${m.mercNo} was not stored`);
  return { merchant: stored, liveKey, testKey };
}

export const DEMO_MERC_NO = 'ORG1000000000001';

/**
 * The demo merchant the local stack creates on first start, with every sign type (the demo CLI signs the MD5 form
 * too). A demo merchant from before modes gets its test key here. Returns its current keys.
 */
export async function ensureDemoMerchant(db: Queryable, keyring: Keyring, nowMs = Date.now()): Promise<MerchantWithKeys> {
  await createMerchant(db, keyring, { mercNo: DEMO_MERC_NO, name: 'Demo merchant', signTypes: [...ALL_SIGN_TYPES] });
  let keys = await findVerifyingKeys(db, keyring, DEMO_MERC_NO, nowMs);
  if (!keys.some((k) => k.mode === 'test')) {
    await addMerchantKey(db, keyring, DEMO_MERC_NO, 'test');
    keys = await findVerifyingKeys(db, keyring, DEMO_MERC_NO, nowMs);
  }
  return { ...(await findMerchant(db, DEMO_MERC_NO))!, keys };
}

/** The merchant's row locked for an administrative change (the transaction's first statement), or null. */
export async function lockMerchant(db: Queryable, mercNo: string): Promise<Merchant | null> {
  const { rows } = await db.query<Row>('SELECT * FROM merchants WHERE merc_no = $1 FOR UPDATE', [mercNo]);
  return rows[0] ? toMerchant(rows[0]) : null;
}

export async function setMerchantStatus(db: Queryable, mercNo: string, status: Merchant['status']): Promise<void> {
  await db.query('UPDATE merchants SET status = $2 WHERE merc_no = $1', [mercNo, status]);
}

export async function setMerchantSignTypes(db: Queryable, mercNo: string, signTypes: SignType[]): Promise<void> {
  await db.query('UPDATE merchants SET sign_types = $2 WHERE merc_no = $1', [mercNo, signTypes]);
}

/** The merchant's notification retry delays (ms); null = the platform's NOTIFY_RETRY_SCHEDULE. Orders placed from now on. */
export async function setMerchantNotifySchedule(db: Queryable, mercNo: string, scheduleMs: number[] | null): Promise<void> {
  await db.query('UPDATE merchants SET notify_schedule_ms = $2 WHERE merc_no = $1', [mercNo, scheduleMs]);
}

export type MerchantLimits = Pick<Merchant, 'maxOpenOrders' | 'refundWindowDays' | 'rateLimitRps' | 'rateLimitBurst'>;

/** The merchant's own limits; null = the platform default. */
export async function setMerchantLimits(db: Queryable, mercNo: string, limits: MerchantLimits): Promise<void> {
  await db.query(
    'UPDATE merchants SET max_open_orders = $2, refund_window_days = $3, rate_limit_rps = $4, rate_limit_burst = $5 WHERE merc_no = $1',
    [mercNo, limits.maxOpenOrders, limits.refundWindowDays, limits.rateLimitRps, limits.rateLimitBurst]);
}

export { PayStatus, generateSignKey };
