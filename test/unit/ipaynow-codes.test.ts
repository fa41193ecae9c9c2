import { describe, expect, it } from 'vitest';
import {
  DEVICE_TYPES, PAY_CHANNEL_TYPES, RESPONSE_CODES, TRANS_STATUSES, describeDeviceType, deviceTypeOfScene, failReasonOfTransStatus,
  meaningOfTransStatus, outcomeOfResponseCode, parseDeviceType, parsePayChannelType, parseResponseCode, parseTransStatus,
  payChannelTypeOfPayway, paywayOfPayChannelType,
} from '../../channels/ipaynow/codes';
import { credentialOf } from '../../channels/ipaynow/credential';
import { statusOfOrderMessage } from '../../channels/ipaynow/report';
import { PAYWAY_CODES, SCENE_CODES } from '../../domain/order';

// Every table, every code: a new code in a table without a mapping fails here (and in the compiler).
describe('IPayNow code tables', () => {
  it('transStatus → meaning (every code)', () => {
    expect(Object.fromEntries(TRANS_STATUSES.map((c) => [c, meaningOfTransStatus(c)]))).toEqual({
      A00I: 'waiting', A004: 'waiting', A005: 'failed', A001: 'paid', A002: 'failed', A003: 'unknown', A006: 'failed',
    });
    for (const c of TRANS_STATUSES) expect(failReasonOfTransStatus(c)).toContain(c);
    expect(parseTransStatus('A007')).toBeNull();
    expect(TRANS_STATUSES.every((c) => parseTransStatus(c) === c)).toBe(true);
  });

  it('transStatus → our ChannelStatus through a message (every code)', () => {
    const expected = { orderId: 'O1', amountFen: 123 };
    const msg = (transStatus: string) => ({ mhtOrderNo: 'O1', mhtOrderAmt: '123', transStatus, payTime: '20240618125846', nowPayOrderNo: 'NP1' });
    const statuses = Object.fromEntries(TRANS_STATUSES.map((c) => [c, statusOfOrderMessage(msg(c), expected, 0).status]));
    expect(statuses).toEqual({ A00I: 'PENDING', A004: 'PENDING', A005: 'FAIL', A001: 'SUCCESS', A002: 'FAIL', A003: 'UNKNOWN', A006: 'FAIL' });
    expect(statusOfOrderMessage(msg('A001'), expected, 0)).toEqual({ status: 'SUCCESS', paidAtMs: Date.UTC(2024, 5, 18, 4, 58, 46), amountFen: 123, channelOrderNo: 'NP1' });
  });

  it('a report is UNKNOWN when it is about another order, has an unreadable amount or a state we do not know; tradeStatus counts', () => {
    const expected = { orderId: 'O1', amountFen: 123 };
    expect(statusOfOrderMessage({ mhtOrderNo: 'O2', mhtOrderAmt: '123', transStatus: 'A001' }, expected, 0).status).toBe('UNKNOWN');
    // Another amount is reported as taken, as it is: the order's workflow sends it to the human queue.
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', mhtOrderAmt: '12', transStatus: 'A001' }, expected, 0)).toMatchObject({ status: 'SUCCESS', amountFen: 12 });
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', mhtOrderAmt: '1.23', transStatus: 'A001' }, expected, 0).status).toBe('UNKNOWN');
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', transStatus: 'A001' }, expected, 0).status).toBe('UNKNOWN');
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', mhtOrderAmt: '123', transStatus: 'Z' }, expected, 0).status).toBe('UNKNOWN');
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', mhtOrderAmt: '123' }, expected, 0).status).toBe('UNKNOWN');
    expect(statusOfOrderMessage({ mhtOrderNo: 'O1', mhtOrderAmt: '123', tradeStatus: 'A001' }, expected, 5).status).toBe('SUCCESS');
  });

  it('responseCode → outcome of the call (every code)', () => {
    expect(Object.fromEntries(RESPONSE_CODES.map((c) => [c, outcomeOfResponseCode(c)]))).toEqual({
      A001: 'succeeded', A002: 'failed', A003: 'unknown', R000: 'succeeded',
    });
    expect(parseResponseCode('A004')).toBeNull();
  });

  it('deviceType: every code has a name; every sceneCode maps to one', () => {
    for (const c of DEVICE_TYPES) {
      expect(describeDeviceType(c).length).toBeGreaterThan(0);
      expect(parseDeviceType(c)).toBe(c);
    }
    expect(parseDeviceType('07')).toBeNull();
    expect(Object.fromEntries(SCENE_CODES.map((s) => [s, deviceTypeOfScene(s)]))).toEqual({
      h5: '0601', app: '01', scan: '08', jspay: '0600', ebank: '04', gateway: '04',
    });
  });

  it('payChannelType → paywayCode (every code) and paywayCode → payChannelType (every payway)', () => {
    expect(Object.fromEntries(PAY_CHANNEL_TYPES.map((c) => [c, paywayOfPayChannelType(c)]))).toEqual({
      11: 'unionpay', 12: 'alipay', 13: 'wxpay', 1310: 'wxpay', 25: null, 50: null, 61: null, '04': null, 27: 'unionpay', 20: 'unionpay', 17: null,
    });
    expect(Object.fromEntries(PAYWAY_CODES.map((p) => [p, payChannelTypeOfPayway(p)]))).toEqual({ alipay: '12', wxpay: '13', unionpay: '11' });
    expect(PAYWAY_CODES.every((p) => paywayOfPayChannelType(payChannelTypeOfPayway(p)) === p)).toBe(true);
    expect(parsePayChannelType('99')).toBeNull();
  });

  it('tn → our credential by scene (every scene)', () => {
    const tn = 'https://pay.example/cashier/NP1?a=1&b=2';
    const img = 'https://platform.example/qr/O1.svg';
    const shapes = Object.fromEntries(SCENE_CODES.map((s) => [s, Object.keys(credentialOf(s, tn, img)).sort().join(',')]));
    expect(shapes).toEqual({ scan: 'codeUrl,imgUrl', h5: 'mwebUrl', jspay: 'payInfo', app: 'payInfo', ebank: 'resultHtml', gateway: 'resultHtml' });
    expect(credentialOf('scan', tn, img)).toEqual({ codeUrl: tn, imgUrl: img });
    expect(credentialOf('gateway', tn, img).resultHtml).toContain('href="https://pay.example/cashier/NP1?a=1&amp;b=2"');
    expect(credentialOf('ebank', '<form action="x"></form>', img).resultHtml).toBe('<form action="x"></form>');
  });
});
