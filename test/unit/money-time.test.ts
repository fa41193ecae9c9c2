import { describe, expect, it } from 'vitest';
import { formatFenAsYuan, parseFenColumn, parseYuanToFen } from '../../domain/money';
import { formatCompactTime, parseCompactTime } from '../../domain/time';
import { DEFAULT_NOTIFY_RETRY_SCHEDULE, formatDuration, parseDuration, parseSchedule } from '../../domain/durations';

describe('yuan ↔ fen without floating point', () => {
  it.each([
    ['1.23', 123], ['0.01', 1], ['1', 100], ['1.2', 120], ['0.1', 10], ['10.00', 1000],
    ['999999999999', 99_999_999_999_900], ['0.29', 29], ['1.15', 115], ['4.35', 435],
  ])('%s yuan is %i fen', (yuan, fen) => {
    expect(parseYuanToFen(yuan)).toEqual({ ok: true, fen });
  });

  it.each(['0', '0.00', '-1', '1.234', '1e3', ' 1', '1.', '.5', '', '1,00', '0x10', 'NaN', '１'])('refuses %j', (yuan) => {
    expect(parseYuanToFen(yuan).ok).toBe(false);
  });

  it('formats fen with exactly two decimals', () => {
    expect(formatFenAsYuan(1)).toBe('0.01');
    expect(formatFenAsYuan(120)).toBe('1.20');
    expect(formatFenAsYuan(99_999_999_999_900)).toBe('999999999999.00');
    expect(() => formatFenAsYuan(1.5)).toThrow();
  });

  it('parses BIGINT columns explicitly', () => {
    expect(parseFenColumn('12345')).toBe(12345);
    expect(() => parseFenColumn('99999999999999999999')).toThrow();
  });
});

describe('yyyyMMddHHmmss in China Standard Time', () => {
  it('round-trips and is UTC+8', () => {
    const ms = parseCompactTime('20240618125826');
    expect(ms).toBe(Date.UTC(2024, 5, 18, 4, 58, 26));
    expect(formatCompactTime(ms!)).toBe('20240618125826');
  });

  it.each(['20240230120000', '20241301000000', '2024061812582', '2024061812582a', '20240618246000'])('refuses %s', (t) => {
    expect(parseCompactTime(t)).toBeNull();
  });
});

describe('durations and schedules', () => {
  it('parses the default notification schedule: 2s … 15h, about 35 h in all', () => {
    const s = parseSchedule(DEFAULT_NOTIFY_RETRY_SCHEDULE);
    expect(s.map(formatDuration)).toEqual(['2s', '10s', '30s', '1m', '2m', '10m', '30m', '1h', '2h', '6h', '10h', '15h']);
    const hours = s.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(hours).toBeGreaterThan(34);
    expect(hours).toBeLessThan(36);
  });

  it('accepts millisecond schedules for tests and refuses nonsense', () => {
    expect(parseSchedule('20ms, 40ms')).toEqual([20, 40]);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseSchedule('')).toThrow();
    expect(() => parseDuration('5 minutes')).toThrow();
  });
});
