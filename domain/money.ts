/**
 * Money is integer fen (分) inside the system. Yuan strings exist only at the merchant API edge and are converted
 * here with integer arithmetic on the digits, never through floating point.
 */

/** Yuan: digits, optionally a point and one or two decimals. No sign, no exponent, no spaces. */
const YUAN_PATTERN = /^(\d{1,16})(?:\.(\d{1,2}))?$/;

export type YuanParseResult = { ok: true; fen: number } | { ok: false; rule: string };

export function parseYuanToFen(input: string): YuanParseResult {
  const match = YUAN_PATTERN.exec(input);
  if (!match) {
    return { ok: false, rule: 'must be yuan with at most two decimals, e.g. 1.23 (at most 16 integer digits)' };
  }
  const integer = match[1] ?? '0';
  const decimals = (match[2] ?? '').padEnd(2, '0');
  const fen = BigInt(integer) * 100n + BigInt(decimals);
  if (fen <= 0n) return { ok: false, rule: 'must be greater than 0' };
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, rule: 'is too large' };
  return { ok: true, fen: Number(fen) };
}

/** Formats integer fen as a yuan string with exactly two decimals ("1.20"). */
export function formatFenAsYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`fen must be a non-negative safe integer: ${fen}`);
  const yuan = Math.trunc(fen / 100);
  const cents = fen % 100;
  return `${yuan}.${cents.toString().padStart(2, '0')}`;
}

/** Parses a BIGINT column value (pg returns BIGINT as a string) into a safe integer. */
export function parseFenColumn(value: string | number): number {
  const n = typeof value === 'number' ? value : Number.parseInt(value, 10);
  if (!Number.isSafeInteger(n)) throw new RangeError(`not a safe integer amount: ${value}`);
  return n;
}
