import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { loadChannelSettings } from '../../channels/registry';

/** The core configuration and every channel's settings, as the API and the worker read them at boot. */
const load = (env: Record<string, string>) => {
  const config = loadConfig(env);
  return { ...config, settings: loadChannelSettings(config) };
};

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('channel configuration', () => {
  it('defaults: no live default channel, the sandbox on in development, no platform IPayNow application, 10 s IPayNow timeout', () => {
    const c = load(base);
    expect(c.channels.defaultLiveChannel).toBeUndefined();
    expect(c.channels.sandboxEnabled).toBe(true);
    expect(c.settings.ipaynow).toEqual({ timeoutMs: 10_000 });
  });

  it('reads the platform IPayNow application', () => {
    const c = load({ ...base, DEFAULT_CHANNEL: 'ipaynow', IPAYNOW_APP_ID: 'A1', IPAYNOW_APP_KEY: 'K1', IPAYNOW_BASE_URL: 'https://pay.example/', IPAYNOW_TIMEOUT: '3s' });
    expect(c.channels.defaultLiveChannel).toBe('ipaynow');
    expect(c.settings.ipaynow).toEqual({ appId: 'A1', appKey: 'K1', baseUrl: 'https://pay.example/', timeoutMs: 3000 });
  });

  it('refuses half an application, ipaynow as default without one, a bad URL or timeout, an unknown channel — naming the variable, never the key', () => {
    const bad: [Record<string, string>, string][] = [
      [{ IPAYNOW_APP_ID: 'A1', IPAYNOW_BASE_URL: 'https://pay.example/' }, 'IPAYNOW_APP_KEY'],
      [{ IPAYNOW_APP_KEY: 'secret-key-1', IPAYNOW_BASE_URL: 'https://pay.example/' }, 'IPAYNOW_APP_ID'],
      [{ IPAYNOW_APP_ID: 'A1', IPAYNOW_APP_KEY: 'secret-key-1' }, 'IPAYNOW_BASE_URL'],
      [{ DEFAULT_CHANNEL: 'ipaynow' }, 'DEFAULT_CHANNEL'],
      [{ DEFAULT_CHANNEL: 'paypal' }, 'DEFAULT_CHANNEL'],
      [{ DEFAULT_CHANNEL: 'sandbox' }, 'DEFAULT_CHANNEL'],
      [{ IPAYNOW_BASE_URL: 'not a url' }, 'IPAYNOW_BASE_URL'],
      [{ IPAYNOW_TIMEOUT: '1m' }, 'IPAYNOW_TIMEOUT'],
    ];
    for (const [env, variable] of bad) {
      let error: unknown;
      try {
        load({ ...base, ...env });
      } catch (err) {
        error = err;
      }
      expect(error, variable).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(variable);
      expect((error as Error).message).not.toContain('secret-key-1');
    }
  });
});
