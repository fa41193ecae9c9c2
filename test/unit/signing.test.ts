import { describe, expect, it } from 'vitest';
import { sign, stringToSign, verifySignature } from '../../domain/signing';

// Vectors computed independently (Python hashlib/hmac) over the seed's notification example with a known key.
const seedNotification = {
  tradeAmt: '0.01', charset: 'UTF-8', orderId: '2024061812582900001378', termType: 'wap', mercOrderNo: 'D20180315125826',
  feeType: 'CNY', locale: 'CN', tradeEndTime: '20240618125846', version: '1.0', mercNo: 'ORG1520825458796',
  tradeTime: '20240618125828', signType: 'MD5', payStatus: 'p0000', tradeType: '01', bankType: '',
  signature: 'IGNORED',
};
const key = '0123456789ABCDEF0123456789ABCDEF';

describe('merchant API signing', () => {
  it('builds the string to sign: sorted keys, empty values and signature left out, key appended', () => {
    expect(stringToSign(seedNotification, key)).toBe(
      'charset=UTF-8&feeType=CNY&locale=CN&mercNo=ORG1520825458796&mercOrderNo=D20180315125826' +
        '&orderId=2024061812582900001378&payStatus=p0000&signType=MD5&termType=wap&tradeAmt=0.01' +
        '&tradeEndTime=20240618125846&tradeTime=20240618125828&tradeType=01&version=1.0&key=0123456789ABCDEF0123456789ABCDEF',
    );
  });

  it('signs MD5 as uppercase hex (fixed vector)', () => {
    expect(sign(seedNotification, key, 'MD5')).toBe('E9133D7D36EA7BBD934207161101D7FD');
  });

  it('signs HMAC-SHA256 over the same string (fixed vector)', () => {
    expect(sign(seedNotification, key, 'HMAC-SHA256')).toBe('6AE3490DAF5768AF9E496978C07883ABC19E492BBCBB115F9C0EA752B39F3C73');
  });

  it('hashes UTF-8 bytes of non-ASCII values (fixed vector)', () => {
    expect(sign({ mercNo: 'ORG1', subject: '测试商品', tradeAmt: '1.23', signType: 'MD5' }, 'k', 'MD5')).toBe(
      'F72D997F4BF6CA84083B69CC5FAAC47D',
    );
  });

  it('verifies a correct signature in either case and rejects a changed field, wrong key or wrong length', () => {
    const sig = sign(seedNotification, key, 'MD5');
    expect(verifySignature(seedNotification, key, 'MD5', sig)).toBe(true);
    expect(verifySignature(seedNotification, key, 'MD5', sig.toLowerCase())).toBe(true);
    expect(verifySignature({ ...seedNotification, tradeAmt: '0.02' }, key, 'MD5', sig)).toBe(false);
    expect(verifySignature(seedNotification, 'other', 'MD5', sig)).toBe(false);
    expect(verifySignature(seedNotification, key, 'MD5', sig.slice(1))).toBe(false);
    expect(verifySignature(seedNotification, key, 'HMAC-SHA256', sig)).toBe(false);
  });
});
