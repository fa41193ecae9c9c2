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

  it('a bad channel setting is a ConfigError naming the variable', () => {
    expect(() => loadChannelSettings(loadConfig({ ...base, ALIPAY_TIMEOUT: 'soon' }))).toThrow(/ALIPAY_TIMEOUT/);
  });
});
