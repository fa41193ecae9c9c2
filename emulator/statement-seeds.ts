/**
 * What a test seeds into an emulator's daily statement, so that reconciliation meets every kind of discrepancy the
 * real channels produce (the emulators' formats stay their own): extra lines (money taken that the books never
 * reported, or an order nobody has), other amounts, and lines left off. Set over HTTP: POST /_emulator/statement.
 */
export interface SeedLine {
  type: 'pay' | 'refund';
  outTradeNo: string;
  /** The refund's number (a refund line). */
  refundNo?: string;
  amountFen: number;
  /** When, epoch ms (default: when it was seeded). */
  atMs?: number;
}

export interface StatementSeeds {
  extra: SeedLine[];
  /** Amount shown instead, fen, by out_trade_no (pay lines) or refund number (refund lines). */
  amounts: Map<string, number>;
  /** Left off the statement: out_trade_no (pay lines) or refund number (refund lines). */
  omit: Set<string>;
}

/** A line of a statement as an emulator builds it from its books, before it writes its own format. */
export interface StatementRecord {
  type: 'pay' | 'refund';
  tradeNo: string;
  outTradeNo: string;
  refundNo?: string;
  amountFen: number;
  atMs: number;
}

export const noSeeds = (): StatementSeeds => ({ extra: [], amounts: new Map(), omit: new Set() });

/**
 * Applies a control body: `{reset?: true, extra?: SeedLine[], amounts?: {no: fen}, omit?: [no]}`. Returns the problem,
 * or null.
 */
export function seedStatement(seeds: StatementSeeds, input: Record<string, unknown>, now: number): string | null {
  if (input.reset === true) {
    seeds.extra = [];
    seeds.amounts.clear();
    seeds.omit.clear();
  }
  const fen = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (input.extra !== undefined) {
    if (!Array.isArray(input.extra)) return 'extra must be an array';
    for (const e of input.extra as Record<string, unknown>[]) {
      if ((e.type !== 'pay' && e.type !== 'refund') || typeof e.outTradeNo !== 'string' || !fen(e.amountFen)) return 'extra: {type, outTradeNo, amountFen} required';
      if (e.type === 'refund' && typeof e.refundNo !== 'string') return 'extra: a refund needs refundNo';
      seeds.extra.push({ type: e.type, outTradeNo: e.outTradeNo, amountFen: e.amountFen as number, atMs: typeof e.atMs === 'number' ? e.atMs : now,
        ...(typeof e.refundNo === 'string' ? { refundNo: e.refundNo } : {}) });
    }
  }
  if (input.amounts !== undefined) {
    if (!input.amounts || typeof input.amounts !== 'object') return 'amounts must be an object';
    for (const [no, v] of Object.entries(input.amounts)) {
      if (!fen(v)) return `amounts.${no} must be fen above 0`;
      seeds.amounts.set(no, v as number);
    }
  }
  if (input.omit !== undefined) {
    if (!Array.isArray(input.omit) || !input.omit.every((v) => typeof v === 'string')) return 'omit must be an array of strings';
    for (const no of input.omit as string[]) seeds.omit.add(no);
  }
  return null;
}

/** The day's records with the seeds applied (extra lines in the day only; `tradeNoOf` numbers them). */
export function seededRecords(records: readonly StatementRecord[], seeds: StatementSeeds, day: { startMs: number; endMs: number }, tradeNoOf: (s: SeedLine) => string): StatementRecord[] {
  const keyOf = (r: { type: string; outTradeNo: string; refundNo?: string }) => (r.type === 'pay' ? r.outTradeNo : r.refundNo ?? '');
  const out = records
    .filter((r) => !seeds.omit.has(keyOf(r)))
    .map((r) => ({ ...r, amountFen: seeds.amounts.get(keyOf(r)) ?? r.amountFen }));
  for (const s of seeds.extra) {
    const atMs = s.atMs ?? day.startMs;
    if (atMs < day.startMs || atMs >= day.endMs) continue;
    out.push({ type: s.type, tradeNo: tradeNoOf(s), outTradeNo: s.outTradeNo, amountFen: s.amountFen, atMs, ...(s.refundNo ? { refundNo: s.refundNo } : {}) });
  }
  return out;
}

/** The Asia/Shanghai day `YYYY-MM-DD` as [start, end) epoch ms, or null when it is not a date. */
export function shanghaiDay(date: string): { startMs: number; endMs: number } | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const startMs = Date.parse(`${date}T00:00:00+08:00`);
  return Number.isFinite(startMs) ? { startMs, endMs: startMs + 86_400_000 } : null;
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. */
export function shanghaiTime(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}
