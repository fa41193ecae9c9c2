import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeForm } from '../../channels/ipaynow/form';
import { ipaynowSign, ipaynowVerify, md5Hex, signedContent } from '../../channels/ipaynow/signing';
import { emulatorCheck, emulatorSign } from '../../emulator/ipaynow/sign';

// Vectors computed independently with Python hashlib: md5(content + "&" + md5(appKey)), lowercase hex.
const appKey = 'k8Wx2ZzQv1u3S5e7T9g0h2J4l6N8p0R2';
const n001: Record<string, string> = {
  funcode: 'N001', version: '1.0.0', appId: '1408709961320306', mhtOrderNo: '2024061812582900001378', mhtOrderName: '测试商品',
  mhtOrderType: '01', mhtCurrencyType: '156', mhtOrderAmt: '123', mhtOrderTimeOut: '3600', mhtOrderStartTime: '20240618125828',
  payTime: '20240618125846', mhtCharset: 'UTF-8', nowPayOrderNo: '200106201806181258461378001', channelOrderNo: '4200000123201806186789',
  deviceType: '08', payChannelType: '12', transStatus: 'A001', payConsumerId: '', mhtReserved: 'a b&c=d', signType: 'MD5',
};
const wp001: Record<string, string> = {
  funcode: 'WP001', version: '1.0.0', appId: '1408709961320306', mhtOrderNo: '2024061812582900001378', mhtOrderName: '测试商品',
  mhtOrderType: '01', mhtCurrencyType: '156', mhtOrderAmt: '123', mhtOrderDetail: '测试商品', mhtOrderTimeOut: '1800',
  mhtOrderStartTime: '20240618125828', notifyUrl: 'https://pay.example.com/channels/ipaynow/notify', mhtCharset: 'UTF-8',
  deviceType: '08', payChannelType: '12', outputType: '0', mhtSignType: 'MD5',
};
const mq002: Record<string, string> = {
  funcode: 'MQ002', version: '1.0.0', deviceType: '0601', appId: '1408709961320306', mhtOrderNo: '2024061812582900001378',
  mhtCharset: 'UTF-8', mhtSignType: 'MD5',
};
const VECTORS = [
  { name: 'N001', fields: n001, new: '2a840a697db91c5345de45ee0915bd83', old: '089b01ef029259b80832a55fb7ac14c8' },
  { name: 'WP001', fields: wp001, new: 'f28c9461223cd77c5da0210a2503fb47', old: '74932ab9a2971aa857224bbac2a42ce6' },
  { name: 'MQ002', fields: mq002, new: '7248fa3dea4df4007f410d6859b1499d', old: 'f0d3f58cf76f17ccc04f7653ecf1ad5e' },
];

describe('IPayNow MD5 signature', () => {
  it('hashes the key first: md5(appKey) (fixed vector)', () => {
    expect(md5Hex(appKey)).toBe('b8e5b451b9ccb607fa6d925e37293ee7');
  });

  it('signs sorted non-empty k=v with raw values; NEW keeps signType, leaves out the signature', () => {
    expect(signedContent({ ...n001, signature: 'x' }, 'new')).toBe(
      'appId=1408709961320306&channelOrderNo=4200000123201806186789&deviceType=08&funcode=N001&mhtCharset=UTF-8' +
        '&mhtCurrencyType=156&mhtOrderAmt=123&mhtOrderName=测试商品&mhtOrderNo=2024061812582900001378' +
        '&mhtOrderStartTime=20240618125828&mhtOrderTimeOut=3600&mhtOrderType=01&mhtReserved=a b&c=d' +
        '&nowPayOrderNo=200106201806181258461378001&payChannelType=12&payTime=20240618125846&signType=MD5' +
        '&transStatus=A001&version=1.0.0',
    );
    expect(signedContent(mq002, 'new')).toBe(
      'appId=1408709961320306&deviceType=0601&funcode=MQ002&mhtCharset=UTF-8&mhtOrderNo=2024061812582900001378&mhtSignType=MD5&version=1.0.0',
    );
  });

  it('OLD also leaves out signType/mhtSignType, and funcode + deviceType for WP001', () => {
    expect(signedContent(n001, 'old')).not.toContain('signType');
    expect(signedContent(n001, 'old')).toContain('funcode=N001');
    expect(signedContent(wp001, 'old')).not.toMatch(/funcode|deviceType|mhtSignType/);
  });

  for (const v of VECTORS) {
    it(`${v.name}: adapter and emulator both produce the fixed vectors, NEW and OLD`, () => {
      expect(ipaynowSign(v.fields, appKey, 'new')).toBe(v.new);
      expect(ipaynowSign(v.fields, appKey, 'old')).toBe(v.old);
      expect(emulatorSign(v.fields, appKey, 'NEW')).toBe(v.new);
      expect(emulatorSign(v.fields, appKey, 'OLD')).toBe(v.old);
    });

    it(`${v.name}: inbound verification accepts either rule (any hex case) and nothing else`, () => {
      const sigField = v.fields.funcode === 'N001' ? 'signature' : 'mhtSignature';
      expect(ipaynowVerify({ ...v.fields, [sigField]: v.new }, appKey, v.new)).toBe('new');
      expect(ipaynowVerify({ ...v.fields, [sigField]: v.old }, appKey, v.old.toUpperCase())).toBe('old');
      expect(ipaynowVerify(v.fields, 'another key', v.new)).toBeNull();
      expect(ipaynowVerify({ ...v.fields, mhtOrderAmt: '124' }, appKey, v.new)).toBeNull();
      expect(ipaynowVerify(v.fields, appKey, v.new.slice(1))).toBeNull();
      expect(emulatorCheck(v.fields, appKey, v.new)).toBe('NEW');
      expect(emulatorCheck(v.fields, appKey, v.old)).toBe('OLD');
    });
  }

  it('an empty value signs like an absent field', () => {
    const { payConsumerId: _omitted, ...without } = n001;
    expect(ipaynowSign(without, appKey)).toBe(ipaynowSign(n001, appKey));
  });
});

describe('docs/ipaynow-channel.md worked example', () => {
  it('the N001 body verifies with the documented key (NEW rule) and decodes to the documented order', () => {
    const doc = readFileSync(join(__dirname, '../../docs/ipaynow-channel.md'), 'utf8');
    const body = /```text example:n001\n([^\n]+)\n```/.exec(doc)?.[1];
    expect(body).toBeDefined();
    const decoded = decodeForm(body!);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(ipaynowVerify(decoded.fields, appKey, decoded.fields.signature!)).toBe('new');
    expect(decoded.fields).toMatchObject({ mhtOrderName: '测试商品', mhtOrderAmt: '123', transStatus: 'A001' });
  });
});
