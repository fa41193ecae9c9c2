import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { EnvSchema, loadConfig } from '../../config';
import { SEARCH_ATTRIBUTE_DEFINITIONS } from '../../workflows/search-attributes';

// docker-compose.yml cannot run here (no Docker engine): these checks read it as data against the code it starts.

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number; start_period?: string };
}

const root = join(__dirname, '../..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const service = (name: string): Service => {
  const s = services[name];
  if (!s) throw new Error(`no service ${name}`);
  return s;
};
/** What an operator must set on the host (`${VAR:?…}`): the master key of the production-mode services. */
const HOST_REQUIRED: Record<string, string> = { MASTER_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };
/**
 * A service's environment as compose gives it with only the required variables set on the host: `${VAR:-default}` →
 * default, `${VAR:?message}` → the host's value.
 */
const env = (name: string): Record<string, string> =>
  Object.fromEntries(Object.entries(service(name).environment ?? {}).map(([k, v]) => [k, String(v)
    .replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1')
    .replace(/\$\{([A-Z0-9_]+):\?[^}]*\}/g, (_m, variable: string) => {
      if (HOST_REQUIRED[variable] === undefined) throw new Error(`compose requires ${variable} from the host`);
      return HOST_REQUIRED[variable];
    })]));
const APP_SERVICES = ['api', 'worker', 'poller'] as const;
const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

describe('docker-compose.yml', () => {
  it('has PostgreSQL, Temporal persisted in it, the search-attribute setup, the UI, and the two app services', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'poller', 'postgresql', 'temporal', 'temporal-setup', 'temporal-ui', 'worker']);
    expect(service('postgresql').image).toMatch(/^postgres:\d+/);
    expect(service('temporal').image).toMatch(/^temporalio\/(auto-setup|server):\d+\.\d+\.\d+$/);
    expect(service('temporal-setup').image).toMatch(/^temporalio\/admin-tools:\d+\.\d+\.\d+$/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(env('temporal')).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', DB_PORT: '5432' });
    expect(env('temporal').POSTGRES_USER).toBe(env('postgresql').POSTGRES_USER);
    expect(env('temporal').POSTGRES_PWD).toBe(env('postgresql').POSTGRES_PASSWORD);
    expect(env('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
  });

  it('api, worker and poller are built from this repository and run the package scripts', () => {
    const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const name of APP_SERVICES) {
      const s = service(name);
      expect(s.image, name).toBeUndefined();
      expect(s.build, name).toBe('.');
      expect(s.command, name).toEqual(['npm', 'run', `start:${name}`]);
      expect(scripts[`start:${name}`], name).toBeDefined();
    }
    expect(readFileSync(join(root, 'Dockerfile'), 'utf8')).toMatch(/^FROM node:20/m);
  });

  it('starts in order through depends_on conditions', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [target, dep] of Object.entries(s.depends_on ?? {})) {
        expect(services[target], `${name} depends on unknown ${target}`).toBeDefined();
        expect(CONDITIONS, `${name} → ${target}`).toContain(dep.condition);
        if (dep.condition === 'service_healthy') expect(service(target).healthcheck, `${target} needs a healthcheck`).toBeDefined();
      }
    }
    expect(service('temporal').depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(service('temporal-setup').depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    expect(service('temporal-ui').depends_on).toEqual({ temporal: { condition: 'service_healthy' } });
    for (const name of APP_SERVICES) {
      expect(service(name).depends_on, name).toEqual({
        'temporal-setup': { condition: 'service_completed_successfully' },
        postgresql: { condition: 'service_healthy' },
      });
    }
  });

  it('registers every search attribute the workflows use, with a shell script that parses', () => {
    const setup = service('temporal-setup');
    expect(env('temporal-setup').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(setup.entrypoint).toEqual(['sh', '-c']);
    const script = [setup.command].flat().join('\n').replace(/\$\$/g, '$'); // compose turns $$ into $
    for (const name of Object.keys(SEARCH_ATTRIBUTE_DEFINITIONS)) expect(script).toMatch(new RegExp(`\\b${name}\\b`));
    expect(script).toContain('--type Keyword');
    expect(script).not.toContain('|| true');
    execFileSync('sh', ['-n'], { input: script });
  });

  it('has healthchecks; api and worker answer readiness (/readyz) on the port they listen on', () => {
    expect(service('postgresql').healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(service('temporal').healthcheck?.test.join(' ')).toContain('cluster health');
    const api = service('api').healthcheck?.test.join(' ') ?? '';
    expect(api).toContain(`http://127.0.0.1:${env('api').API_PORT}/readyz`);
    const worker = service('worker').healthcheck?.test.join(' ') ?? '';
    expect(worker).toContain(`http://127.0.0.1:${env('worker').WORKER_HTTP_PORT}/readyz`);
    const poller = service('poller').healthcheck?.test.join(' ') ?? '';
    expect(poller).toContain(`http://127.0.0.1:${env('poller').POLLER_HTTP_PORT}/readyz`);
    for (const name of APP_SERVICES) expect(service(name).healthcheck?.retries, name).toBeGreaterThan(0);
  });

  it('api, worker and poller run in production mode with a master key the operator must set', () => {
    for (const name of APP_SERVICES) {
      expect(String(service(name).environment?.MASTER_KEYS), name).toMatch(/^\$\{MASTER_KEYS:\?/);
      expect(loadConfig({ ...env(name), NODE_ENV: 'production' }).secrets.keyring.current?.id, name).toBe('k1');
    }
  });

  it('publishes the API on every interface; its admin listener, the worker metrics, the Temporal frontend and the UI on loopback', () => {
    const api = env('api');
    expect(service('api').ports).toEqual([`${api.API_PORT}:${api.API_PORT}`, `127.0.0.1:${api.ADMIN_PORT}:${api.ADMIN_PORT}`]);
    expect(loadConfig(api).admin).toEqual({ host: '0.0.0.0', port: 8081, operators: [] });
    expect(service('worker').ports).toEqual([`127.0.0.1:${env('worker').WORKER_HTTP_PORT}:${env('worker').WORKER_HTTP_PORT}`]);
    expect(service('poller').ports).toEqual([`127.0.0.1:${env('poller').POLLER_HTTP_PORT}:${env('poller').POLLER_HTTP_PORT}`]);
    expect(service('temporal').ports).toEqual(['127.0.0.1:7233:7233']);
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8233:8080']);
  });

  it('nothing but the merchant port is published beyond the host\'s loopback; the Temporal UI is read-only', () => {
    const merchantPort = env('api').API_PORT;
    for (const [name, s] of Object.entries(services)) {
      for (const mapping of s.ports ?? []) {
        if (name === 'api' && mapping === `${merchantPort}:${merchantPort}`) continue;
        // host-ip:host-port:container-port, the host address loopback (an omitted one means every interface).
        expect(mapping, `${name} publishes ${mapping}`).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      }
    }
    expect(service('postgresql').ports).toBeUndefined();
    expect(env('temporal-ui').TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });

  it('api, worker and poller declare only known configuration variables, every required one, and a valid whole', () => {
    const known = Object.keys(EnvSchema.shape);
    const required = Object.entries(EnvSchema.shape).filter(([, s]) => !s.safeParse(undefined).success).map(([k]) => k);
    expect(required).toContain('DATABASE_URL');
    const pg = env('postgresql');
    for (const name of APP_SERVICES) {
      const e = env(name);
      for (const k of Object.keys(e)) expect(known, `${name}: ${k} is not a configuration variable`).toContain(k);
      for (const k of required) expect(e[k], `${name}: ${k} is required`).toBeDefined();
      const config = loadConfig(e);
      const db = new URL(config.databaseUrl);
      expect(db.hostname, name).toBe('postgresql');
      expect(decodeURIComponent(db.username), name).toBe(pg.POSTGRES_USER);
      expect(decodeURIComponent(db.password), name).toBe(pg.POSTGRES_PASSWORD);
      expect(db.pathname, name).toBe(`/${pg.POSTGRES_DB}`);
      expect(config.temporal.address, name).toBe('temporal:7233');
      expect(config.temporal.namespace, name).toBe(env('temporal').DEFAULT_NAMESPACE);
    }
    const api = loadConfig(env('api'));
    expect(api.api.host).toBe('0.0.0.0');
    const worker = loadConfig(env('worker'));
    expect(worker.worker).toEqual({ httpHost: '0.0.0.0', httpPort: 9464, maxCachedWorkflows: 1000 });
    // Polled once: by the poller service, at its lower priority, not also by every worker.
    expect(worker.poller.inWorker).toBe(false);
    expect(loadConfig(env('poller')).poller).toMatchObject({ httpHost: '0.0.0.0', httpPort: 9465, nice: 10 });
  });
});
