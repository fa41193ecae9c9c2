import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../config/temporal';

const BASE = { DATABASE_URL: 'postgres://u:p@db.example:5432/paydurable' };
const dir = mkdtempSync(join(tmpdir(), 'paydurable-tls-'));
const CERT = join(dir, 'client.pem');
const KEY = join(dir, 'client.key');
const CA = join(dir, 'ca.pem');
const PEM = {
  [CERT]: '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n',
  [KEY]: '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n',
  [CA]: '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n',
};
for (const [path, text] of Object.entries(PEM)) writeFileSync(path, text);
const bytes = (path: string) => Buffer.from(PEM[path]!);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configError = (env: Record<string, string>): string => {
  try {
    loadConfig({ ...BASE, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('Temporal connection settings from the environment', () => {
  it('defaults to the local dev server without TLS', () => {
    const { temporal } = loadConfig(BASE);
    expect(temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'orders', tls: false });
    expect(temporalConnectionOptions(temporal)).toEqual({ address: '127.0.0.1:7233', tls: false });
  });

  it('Temporal Cloud with an API key: TLS is implied and the key is passed', () => {
    const { temporal } = loadConfig({
      ...BASE, TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'payments.a1b2c', TEMPORAL_API_KEY: 'cloud-key',
    });
    expect(temporal).toMatchObject({ address: 'payments.a1b2c.tmprl.cloud:7233', namespace: 'payments.a1b2c', tls: true, apiKey: 'cloud-key' });
    expect(temporalConnectionOptions(temporal)).toEqual({ address: 'payments.a1b2c.tmprl.cloud:7233', tls: {}, apiKey: 'cloud-key' });
  });

  it('mTLS: the client certificate pair is read from the two files and implies TLS', () => {
    const { temporal } = loadConfig({ ...BASE, TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CERT_PATH: CERT, TEMPORAL_TLS_KEY_PATH: KEY });
    expect(temporal.tls).toBe(true);
    const options = temporalConnectionOptions(temporal);
    expect(options.tls).toEqual({ clientCertPair: { crt: bytes(CERT), key: bytes(KEY) } });
  });

  it('a private CA and server name for a self-hosted cluster', () => {
    const { temporal } = loadConfig({ ...BASE, TEMPORAL_TLS_CA_PATH: CA, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' });
    expect(temporal.tls).toBe(true);
    expect(temporalConnectionOptions(temporal).tls).toEqual({ serverRootCACertificate: bytes(CA), serverNameOverride: 'temporal.internal' });
  });

  it('TEMPORAL_TLS=true alone gives TLS with system roots', () => {
    const { temporal } = loadConfig({ ...BASE, TEMPORAL_TLS: 'true' });
    expect(temporalConnectionOptions(temporal).tls).toEqual({});
  });

  it('errors name the variable', () => {
    expect(configError({ TEMPORAL_TLS: 'yes' })).toMatch(/TEMPORAL_TLS: /);
    expect(configError({ TEMPORAL_TLS_CERT_PATH: CERT })).toMatch(/TEMPORAL_TLS_KEY_PATH: .*go together/);
    expect(configError({ TEMPORAL_TLS_KEY_PATH: KEY })).toMatch(/TEMPORAL_TLS_CERT_PATH: .*go together/);
    expect(configError({ TEMPORAL_API_KEY: '' })).toMatch(/TEMPORAL_API_KEY: /);
    expect(configError({ TEMPORAL_NAMESPACE: '' })).toMatch(/TEMPORAL_NAMESPACE: /);
    expect(configError({ WORKER_HTTP_PORT: '70000' })).toMatch(/WORKER_HTTP_PORT: /);
    const missing = (() => {
      try {
        loadConfig({});
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(missing).toMatch(/DATABASE_URL: /);
  });

  it('an unreadable certificate file stops with the variable and the path', () => {
    const { temporal } = loadConfig({ ...BASE, TEMPORAL_TLS_CERT_PATH: join(dir, 'missing.pem'), TEMPORAL_TLS_KEY_PATH: KEY });
    expect(() => temporalConnectionOptions(temporal)).toThrow(/TEMPORAL_TLS_CERT_PATH: cannot read .*missing\.pem \(ENOENT\)/);
  });

  it('the worker health/metrics server is off unless WORKER_HTTP_PORT is set; the workflow cache is capped', () => {
    expect(loadConfig(BASE).worker).toEqual({ httpHost: '127.0.0.1', httpPort: 0, maxCachedWorkflows: 1000 });
    expect(loadConfig({ ...BASE, WORKER_HTTP_PORT: '9464', WORKER_HTTP_HOST: '0.0.0.0', WORKER_MAX_CACHED_WORKFLOWS: '50' }).worker)
      .toEqual({ httpHost: '0.0.0.0', httpPort: 9464, maxCachedWorkflows: 50 });
    expect(() => loadConfig({ ...BASE, WORKER_MAX_CACHED_WORKFLOWS: 'lots' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it("the poller has a pool of its own beside PG_POOL_MAX, and a bounded number of polls in flight", () => {
    const config = loadConfig(BASE);
    expect(config.pgPoolMax).toBe(10);
    expect(config.poller).toEqual({ pgPoolMax: 4, concurrency: 16, inWorker: true, nice: 10, httpHost: '127.0.0.1', httpPort: 0 });
    expect(loadConfig({ ...BASE, POLL_PG_POOL_MAX: '2', POLL_CONCURRENCY: '64', WORKER_POLLS: 'false', POLLER_NICE: '0', POLLER_HTTP_PORT: '9465' }).poller)
      .toEqual({ pgPoolMax: 2, concurrency: 64, inWorker: false, nice: 0, httpHost: '127.0.0.1', httpPort: 9465 });
    expect(() => loadConfig({ ...BASE, WORKER_POLLS: 'no' })).toThrow(/WORKER_POLLS/);
    expect(() => loadConfig({ ...BASE, POLLER_NICE: '20' })).toThrow(/POLLER_NICE/);
    expect(() => loadConfig({ ...BASE, POLLER_NICE: '-1' })).toThrow(/POLLER_NICE/);
    expect(() => loadConfig({ ...BASE, POLL_PG_POOL_MAX: '0' })).toThrow(/POLL_PG_POOL_MAX/);
    expect(() => loadConfig({ ...BASE, POLL_PG_POOL_MAX: '201' })).toThrow(/POLL_PG_POOL_MAX/);
    expect(() => loadConfig({ ...BASE, POLL_CONCURRENCY: '1.5' })).toThrow(/POLL_CONCURRENCY/);
    expect(() => loadConfig({ ...BASE, POLL_CONCURRENCY: '1001' })).toThrow(/POLL_CONCURRENCY/);
  });
});
