import { describe, expect, it } from 'vitest';
import { meaningOfGatewayAnswer, meaningOfTradeStatus, TRADE_STATUSES } from '../../channels/alipay/codes';
import { statusOfTrade, parseAlipayTime, formatAlipayTime } from '../../channels/alipay/report';
import { buyerOf, alipaySceneOf } from '../../channels/alipay/credential';
import { loadAlipaySettings } from '../../channels/alipay/settings';
import { notifySignContent, parseNotifyForm } from '../../channels/alipay/inbound';
import { SCENE_CODES } from '../../domain/order';

describe('Alipay code tables', () => {
  it('every trade_status has one meaning; a payment needs its order and a readable amount', () => {
    expect(Object.fromEntries(TRADE_STATUSES.map((s) => [s, meaningOfTradeStatus(s)]))).toEqual({
      WAIT_BUYER_PAY: 'waiting', TRADE_SUCCESS: 'paid', TRADE_FINISHED: 'paid', TRADE_CLOSED: 'closed',
    });
    const at = '2026-12-06 09:30:00';
    expect(statusOfTrade({ out_trade_no: 'O1', trade_status: 'TRADE_SUCCESS', total_amount: '88.00', send_pay_date: at, trade_no: 'T1' }, { orderId: 'O1' }, 0))
      .toEqual({ status: 'SUCCESS', amountFen: 8800, paidAtMs: Date.UTC(2026, 11, 6, 1, 30, 0), channelOrderNo: 'T1' });
    expect(statusOfTrade({ out_trade_no: 'O1', trade_status: 'WAIT_BUYER_PAY' }, { orderId: 'O1' }, 0)).toEqual({ status: 'PENDING' });
    expect(statusOfTrade({ out_trade_no: 'O1', trade_status: 'TRADE_CLOSED' }, { orderId: 'O1' }, 0)).toMatchObject({ status: 'FAIL' });
    expect(statusOfTrade({ out_trade_no: 'O2', trade_status: 'TRADE_SUCCESS', total_amount: '1.00' }, { orderId: 'O1' }, 0)).toMatchObject({ status: 'UNKNOWN' });
    expect(statusOfTrade({ out_trade_no: 'O1', trade_status: 'TRADE_SUCCESS', total_amount: '1.5e3' }, { orderId: 'O1' }, 0)).toMatchObject({ status: 'UNKNOWN' });
    expect(statusOfTrade({ out_trade_no: 'O1', trade_status: 'TRADE_PENDING' }, { orderId: 'O1' }, 0)).toMatchObject({ status: 'UNKNOWN' });
    expect(formatAlipayTime(parseAlipayTime(at)!)).toBe(at);
  });

  it('gateway answers: 10000 ok; 20000, ACQ.SYSTEM_ERROR and unknown codes are unknown, never a refusal', () => {
    expect(meaningOfGatewayAnswer('10000', undefined)).toBe('ok');
    expect(meaningOfGatewayAnswer('20000', 'isp.unknow-error')).toBe('unknown');
    expect(meaningOfGatewayAnswer('40004', 'ACQ.SYSTEM_ERROR')).toBe('unknown');
    expect(meaningOfGatewayAnswer('40004', 'ACQ.TRADE_NOT_EXIST')).toBe('not_exist');
    expect(meaningOfGatewayAnswer('40004', 'ACQ.TRADE_STATUS_ERROR')).toBe('status_error');
    expect(meaningOfGatewayAnswer('40004', 'ACQ.TRADE_HAS_SUCCESS')).toBe('status_error');
    expect(meaningOfGatewayAnswer('40004', 'ACQ.BUYER_NOT_EXIST')).toBe('declined');
    expect(meaningOfGatewayAnswer('40002', 'isv.invalid-signature')).toBe('declined');
    expect(meaningOfGatewayAnswer('99999', undefined)).toBe('unknown');
    expect(meaningOfGatewayAnswer('', undefined)).toBe('unknown');
  });

  it('every scene has a method (ebank none); the jspay buyer comes from attach', () => {
    expect(Object.fromEntries(SCENE_CODES.map((s) => [s, 'method' in alipaySceneOf(s) ? (alipaySceneOf(s) as { method: string }).method : null]))).toEqual({
      scan: 'alipay.trade.precreate', h5: 'alipay.trade.wap.pay', gateway: 'alipay.trade.page.pay', app: 'alipay.trade.app.pay',
      jspay: 'alipay.trade.create', ebank: null,
    });
    expect(buyerOf('{"alipayBuyerId":"2088000000000042"}')).toEqual({ buyer_id: '2088000000000042' });
    expect(buyerOf('{"alipayOpenId":"074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"}')).toEqual({ buyer_open_id: '074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5' });
    for (const bad of [null, '', 'cart=42', '{"alipayBuyerId":"1234"}', '[]']) expect(buyerOf(bad)).toBeNull();
  });

  it('notifications: signed content drops sign, sign_type and empty values, sorted; a repeated key is unreadable', () => {
    expect(notifySignContent({ b: '2', sign: 'x', a: '1', sign_type: 'RSA2', c: '' })).toBe('a=1&b=2');
    expect(parseNotifyForm('a=1&b=%E4%BD%A0')).toEqual({ a: '1', b: '你' });
    expect(parseNotifyForm('a=1&a=2')).toBeNull();
  });

  it('settings: the application is all three of id, private key and Alipay public key, PEM; never quoting a key', () => {
    expect(loadAlipaySettings({})).toEqual({ gatewayUrl: 'https://openapi.alipay.com/gateway.do', timeoutMs: 10_000 });
    const bad: [Record<string, string>, string][] = [
      [{ ALIPAY_APP_ID: '2021000000000001' }, 'ALIPAY_PRIVATE_KEY'],
      [{ ALIPAY_APP_ID: '2021000000000001', ALIPAY_PRIVATE_KEY: 'secret-key-1', ALIPAY_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' }, 'ALIPAY_PRIVATE_KEY'],
      [{ ALIPAY_GATEWAY_URL: 'not a url' }, 'ALIPAY_GATEWAY_URL'],
      [{ ALIPAY_TIMEOUT: '1m' }, 'ALIPAY_TIMEOUT'],
    ];
    for (const [env, variable] of bad) {
      let message = '';
      try {
        loadAlipaySettings(env);
      } catch (err) {
        message = JSON.stringify((err as Error).message);
      }
      expect(message, variable).toContain(variable);
      expect(message).not.toContain('secret-key-1');
    }
  });
});
