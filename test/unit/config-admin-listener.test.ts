import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('ADMIN_HOST / ADMIN_PORT (the admin listener)', () => {
  it('defaults to loopback:8081, beside the merchant listener', () => {
    const config = loadConfig(base);
    expect(config.admin).toEqual({ host: '127.0.0.1', port: 8081, operators: [] });
    expect(config.api.port).toBe(8080);
  });

  it('takes a host and a port; 0 = any free port', () => {
    expect(loadConfig({ ...base, ADMIN_HOST: '10.0.0.5', ADMIN_PORT: '9000' }).admin).toEqual({ host: '10.0.0.5', port: 9000, operators: [] });
    expect(loadConfig({ ...base, ADMIN_PORT: '0', API_PORT: '0' }).admin.port).toBe(0);
  });

  it.each([['65536'], ['-1'], ['x'], ['80.5']])('refuses ADMIN_PORT=%s naming the variable', (port) => {
    expect(() => loadConfig({ ...base, ADMIN_PORT: port })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ADMIN_PORT: port })).toThrow(/ADMIN_PORT/);
  });

  it('refuses the merchant port as the admin port', () => {
    expect(() => loadConfig({ ...base, API_PORT: '9000', ADMIN_PORT: '9000' })).toThrow(/ADMIN_PORT: must differ from API_PORT/);
  });
});
