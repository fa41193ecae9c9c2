import { mercNoProblem } from '../domain/merchant-no';
import { randomBytes } from 'node:crypto';
import type { Queryable } from './pool';
import { FINAL_STATUSES, PayStatus } from '../domain/pay-status';

export interface Merchant {
  mercNo: string;
  name: string;
  signKey: string;
  status: 'active' | 'disabled';
  /** Retry delays after the first attempt (ms); null = platform default. */
  notifyScheduleMs: number[] | null;
  notifyStatuses: PayStatus[];
}

interface Row {
  merc_no: string;
  name: string;
  sign_key: string;
  status: Merchant['status'];
  notify_schedule_ms: number[] | null;
  notify_statuses: string[];
}

const toMerchant = (r: Row): Merchant => ({
  mercNo: r.merc_no,
  name: r.name,
  signKey: r.sign_key,
  status: r.status,
  notifyScheduleMs: r.notify_schedule_ms,
  notifyStatuses: r.notify_statuses.filter((s): s is PayStatus => (FINAL_STATUSES as readonly string[]).includes(s)),
});

export async function findMerchant(db: Queryable, mercNo: string): Promise<Merchant | null> {
  const { rows } = await db.query<Row>('SELECT * FROM merchants WHERE merc_no = $1', [mercNo]);
  return rows[0] ? toMerchant(rows[0]) : null;
}

export interface NewMerchant {
  mercNo: string;
  name: string;
  signKey?: string;
  notifyScheduleMs?: number[] | null;
  notifyStatuses?: PayStatus[];
}

export function generateSignKey(): string {
  return randomBytes(16).toString('hex').toUpperCase();
}

/** Creates a merchant; returns the stored merchant (an existing one is left as it is). */
export async function createMerchant(db: Queryable, m: NewMerchant): Promise<Merchant> {
  const problem = mercNoProblem(m.mercNo);
  if (problem) throw new Error(`mercNo ${problem}`);
  await db.query(
    `INSERT INTO merchants (merc_no, name, sign_key, notify_schedule_ms, notify_statuses)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (merc_no) DO NOTHING`,
    [m.mercNo, m.name, m.signKey ?? generateSignKey(), m.notifyScheduleMs ?? null, m.notifyStatuses ?? FINAL_STATUSES],
  );
  const stored = await findMerchant(db, m.mercNo);
  if (!stored) throw new Error(`merchant ${m.mercNo} was not stored`);
  return stored;
}

export const DEMO_MERC_NO = 'ORG1000000000001';

/** The demo merchant the local stack creates on first start (its key is random and kept in the database). */
export function ensureDemoMerchant(db: Queryable): Promise<Merchant> {
  return createMerchant(db, { mercNo: DEMO_MERC_NO, name: 'Demo merchant' });
}

export async function setMerchantStatus(db: Queryable, mercNo: string, status: Merchant['status']): Promise<void> {
  await db.query('UPDATE merchants SET status = $2 WHERE merc_no = $1', [mercNo, status]);
}

export { PayStatus };
