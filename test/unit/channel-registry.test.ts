import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { loadChannelSettings } from '../../channels/registry';
import { CHANNEL_NAMES } from '../../domain/channels';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };
const keys = () => generateKeyPairSync('rsa', {
  modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' },
});

describe('channel registry', () => {
  it('has settings for every channel name, read from the variables the core does not read', () => {
    const config = loadConfig({ ...base, API_PORT: '9000', SOMETHING_ELSE: 'x' });
    expect(config.channelEnv).toEqual({ SOMETHING_ELSE: 'x' });
    expect(Object.keys(loadChannelSettings(config)).sort()).toEqual([...CHANNEL_NAMES].sort());
  });

  it('a live default channel must serve merchants without their own account (alipay: the platform application)', () => {
    expect(() => loadChannelSettings(loadConfig({ ...base, DEFAULT_CHANNEL: 'alipay' }))).toThrow(ConfigError);
    expect(() => loadChannelSettings(loadConfig({ ...base, DEFAULT_CHANNEL: 'alipay' }))).toThrow('DEFAULT_CHANNEL');
    const app = keys();
    const alipay = keys();
    const settings = loadChannelSettings(loadConfig({
      ...base, DEFAULT_CHANNEL: 'alipay', ALIPAY_APP_ID: '2021000000000001', ALIPAY_PRIVATE_KEY: app.privateKey.replace(/\n/g, '\\n'),
      ALIPAY_PUBLIC_KEY: alipay.publicKey, ALIPAY_GATEWAY_URL: 'http://127.0.0.1:9/gateway.do',
    }));
    expect(settings.alipay).toMatchObject({ appId: '2021000000000001', privateKey: app.privateKey, gatewayUrl: 'http://127.0.0.1:9/gateway.do' });
  });

  it('wechatpay as the live default needs the platform\'s merchant account (all six WECHATPAY_* account variables)', () => {
    expect(() => loadChannelSettings(loadConfig({ ...base, DEFAULT_CHANNEL: 'wechatpay' }))).toThrow('DEFAULT_CHANNEL');
    const merchant = keys();
    const platform = keys();
    const settings = loadChannelSettings(loadConfig({
      ...base, DEFAULT_CHANNEL: 'wechatpay', WECHATPAY_MCH_ID: '1900000109', WECHATPAY_APP_ID: 'wx0123456789abcdef',
      WECHATPAY_SERIAL_NO: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C', WECHATPAY_PRIVATE_KEY: merchant.privateKey,
      WECHATPAY_API_V3_KEY: 'a'.repeat(32), WECHATPAY_PLATFORM_PUBLIC_KEY: platform.publicKey, WECHATPAY_PLATFORM_KEY_ID: 'PUB_KEY_ID_0114000000000001',
    }));
    expect(settings.wechatpay).toMatchObject({ account: { mchId: '1900000109', platformKeys: [{ serial: 'PUB_KEY_ID_0114000000000001' }] } });
  });

  it('a bad channel setting is a ConfigError naming the variable', () => {
    expect(() => loadChannelSettings(loadConfig({ ...base, ALIPAY_TIMEOUT: 'soon' }))).toThrow(/ALIPAY_TIMEOUT/);
    expect(() => loadChannelSettings(loadConfig({ ...base, WECHATPAY_BASE_URL: 'not a url' }))).toThrow(/WECHATPAY_BASE_URL/);
  });
});
