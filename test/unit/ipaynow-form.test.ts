import { describe, expect, it } from 'vitest';
import { decodeForm, encodeForm } from '../../channels/ipaynow/form';
import { readForm, writeForm } from '../../emulator/ipaynow/form';

describe('IPayNow form strings', () => {
  const fields = { funcode: 'N001', mhtOrderName: '测试 商品', mhtReserved: 'a b&c=d+e%' };

  it('encodes values URL-encoded as UTF-8 (fixed vector, computed with Python urllib)', () => {
    expect(encodeForm(fields)).toBe('funcode=N001&mhtOrderName=%E6%B5%8B%E8%AF%95%20%E5%95%86%E5%93%81&mhtReserved=a%20b%26c%3Dd%2Be%25');
  });

  it('decodes what it encodes, and what the emulator (URLSearchParams, + for space) writes', () => {
    expect(decodeForm(encodeForm(fields))).toEqual({ ok: true, fields });
    expect(decodeForm(writeForm(fields))).toEqual({ ok: true, fields });
    expect(readForm(encodeForm(fields))).toEqual(fields);
  });

  it('keeps empty values, skips empty pairs, ignores a trailing newline and a BOM', () => {
    expect(decodeForm('\uFEFFa=1&&b=&c=x\r\n')).toEqual({ ok: true, fields: { a: '1', b: '', c: 'x' } });
  });

  it('refuses what cannot be read unambiguously', () => {
    for (const bad of ['', '&&', 'a', 'a=1&b', '=1', 'a=%E6%B5', 'a=%zz', 'a=1&a=2']) {
      expect(decodeForm(bad).ok, bad).toBe(false);
    }
  });

  it('leaves undefined values out when encoding', () => {
    expect(encodeForm({ a: '1', b: undefined, c: '' })).toBe('a=1&c=');
  });
});
