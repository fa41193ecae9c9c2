import { createRateLimits } from '../../api/rate-limits';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { buildOpenApiDocument } from '../../api/openapi/document';
import { renderDocsPage } from '../../api/openapi/docs-page';
import { FIELD_NOTES } from '../../api/openapi/field-notes';
import type { JsonSchema, OperationObject, PathItemObject } from '../../api/openapi/types';
import { UnifiedOrderSchema } from '../../api/schemas/unified-order';
import { NotificationSchema } from '../../api/schemas/answers';
import { createApp } from '../../api/app';
import { createAdminApp } from '../../api/admin-app';
import { createApiMetrics } from '../../observability/api-metrics';
import type { DocumentAudience } from '../../api/openapi/document';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createPool } from '../../db/pool';
import { RESP_CODES, type RespCode } from '../../domain/resp-codes';
import { buildNotification } from '../../domain/notification';
import { listRoutes } from '../support/express-routes';

const doc = buildOpenApiDocument();
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

function operations(items: Record<string, PathItemObject>): [string, string, OperationObject][] {
  return Object.entries(items).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [path, method, op as OperationObject] as [string, string, OperationObject]));
}

/** Every `$ref` anywhere in a JSON value. */
function refsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refsIn(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsIn(v, out);
    }
  }
  return out;
}

const schema = (name: string): JsonSchema => {
  const s = doc.components.schemas[name];
  if (!s) throw new Error(`no component ${name}`);
  return s;
};

/** The field table of docs/merchant-api.md §1: field → max length and whether it is required. */
function merchantDocTable(): Map<string, { max: number; required: boolean }> {
  const md = readFileSync(join(__dirname, '../../docs/merchant-api.md'), 'utf8');
  const section = md.slice(md.indexOf('## Unified order'), md.indexOf('## Payment query'));
  const rows = new Map<string, { max: number; required: boolean }>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const max = Number(cells[2]);
    if (!line.startsWith('|') || !Number.isInteger(max)) continue;
    for (const field of cells[1]!.split(',').map((f) => f.trim())) rows.set(field, { max, required: cells[3] === 'yes' });
  }
  return rows;
}

describe.each(['merchant', 'admin'] as const)('OpenAPI document of the %s listener: shape', (audience) => {
  const doc = buildOpenApiDocument(audience);

  it('is OpenAPI 3.1 with info, paths, webhooks and components, and survives JSON', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    expect(Object.keys(doc.components.schemas).length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('every path item holds operations with unique ids and described responses', () => {
    const ids = new Set<string>();
    const all = [...operations(doc.paths), ...operations(doc.webhooks)];
    for (const [path, method, op] of all) {
      expect(METHODS, `${path} ${method}`).toContain(method);
      expect(op.operationId, `${method} ${path}`).toBeTruthy();
      expect(ids.has(op.operationId!), `duplicate operationId ${op.operationId}`).toBe(false);
      ids.add(op.operationId!);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const [status, r] of Object.entries(op.responses)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect(typeof r.description).toBe('string');
      }
      for (const tag of op.tags) expect(doc.tags.map((t) => t.name)).toContain(tag);
    }
    for (const path of Object.keys(doc.paths)) expect(path.startsWith('/')).toBe(true);
  });

  it('path templates and path parameters match', () => {
    for (const [path, method, op] of operations(doc.paths)) {
      const inTemplate = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(inTemplate);
      expect(declared.every((p) => p.required)).toBe(true);
    }
  });

  it('every $ref resolves to a component, and every component is an object schema or a reference target', () => {
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.split('/').pop()!], ref).toBeDefined();
    }
    for (const [name, s] of Object.entries(doc.components.schemas)) {
      expect(s.$schema, name).toBeUndefined();
      expect(s.type !== undefined || s.anyOf !== undefined || s.oneOf !== undefined, name).toBe(true);
    }
  });
});

describe('OpenAPI documents: routes of each listener', () => {
  const deps = {
    config: loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent' }),
    pool: createPool('postgres://nobody@127.0.0.1:1/none', 1),
    temporal: new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) }),
    log: createLogger('silent', 'test'),
    now: Date.now,
  };
  const metrics = createApiMetrics();
  const ctx = { ...deps, metrics, limits: createRateLimits({ ...deps, metrics }) };
  const documented = (audience: DocumentAudience) =>
    operations(buildOpenApiDocument(audience).paths).map(([path, method]) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`);

  it('the merchant listener documents every /api route and serves every documented one; nothing internal', () => {
    const routes = listRoutes(createApp(ctx, metrics));
    const apiRoutes = routes.filter((r) => / \/api\//.test(r));
    expect(apiRoutes).toEqual(expect.arrayContaining(['POST /api/pay', 'POST /api/query', 'POST /api/close']));
    for (const route of apiRoutes) expect(documented('merchant'), `${route} is not in the merchant document`).toContain(route);
    // A documented concrete path (e.g. one channel's callback) may be served by a parametric route (`/channels/:name/notify`).
    const served = routes.map((r) => new RegExp(`^${r.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]\w*/g, '[^/]+')}$`));
    for (const route of documented('merchant')) expect(served.some((re) => re.test(route)), `${route} is documented but not served`).toBe(true);
    for (const route of [...routes, ...documented('merchant')]) expect(route).not.toMatch(/ \/(support|metrics)\b/);
  });

  it('the admin listener documents every /support and /admin route and serves every documented one; no merchant interface', () => {
    const routes = listRoutes(createAdminApp(ctx, metrics));
    const supportRoutes = routes.filter((r) => / \/(support|admin)\//.test(r));
    expect(supportRoutes.length).toBeGreaterThan(5);
    expect(supportRoutes).toEqual(expect.arrayContaining(['POST /admin/v1/merchants', 'POST /admin/v1/merchants/:mercNo/keys/rotate']));
    for (const route of supportRoutes) expect(documented('admin'), `${route} is not in the admin document`).toContain(route);
    for (const route of documented('admin')) expect(routes, `${route} is documented but not served`).toContain(route);
    expect(routes).toContain('GET /metrics');
    for (const route of [...routes, ...documented('admin')]) expect(route).not.toMatch(/ \/(api|sandbox|qr|channels)\//);
    expect(buildOpenApiDocument('admin')['x-resp-codes']).toBeUndefined();
  });
});

describe('OpenAPI document: merchant API', () => {
  it('the unified order request has every UnifiedOrderSchema field with the documented max length and requiredness', () => {
    const request = schema('UnifiedOrderRequest');
    const table = merchantDocTable();
    table.set('mercNo', { max: 32, required: true });
    for (const field of Object.keys(UnifiedOrderSchema.shape)) {
      const prop = request.properties?.[field];
      const row = table.get(field);
      expect(prop, field).toBeDefined();
      expect(row, `${field} is not in docs/merchant-api.md`).toBeDefined();
      if (prop!.enum || prop!.const !== undefined) {
        for (const v of prop!.enum ?? [prop!.const]) expect(String(v).length, field).toBeLessThanOrEqual(row!.max);
      } else {
        expect(prop!.maxLength, field).toBe(row!.max);
      }
      expect(request.required?.includes(field) ?? false, `${field} required`).toBe(row!.required);
    }
    // With the raw-body sign type the signature is a header: signType and signature are optional in the body.
    for (const f of ['signType', 'signature']) expect(request.properties?.[f]).toBeDefined();
    expect(request.properties?.signType?.enum).toEqual(['MD5', 'HMAC-SHA256', 'HMAC-SHA256-RAW']);
  });

  it('every merchant field carries a description, and every field note is used', () => {
    const merchantSchemas = ['UnifiedOrderRequest', 'OrderRefRequest', 'PayAnswer', 'QueryAnswer', 'CloseAnswer', 'ErrorAnswer', 'PaymentNotification', 'RefundRequest', 'RefundRefRequest', 'RefundAnswer', 'RefundNotification'];
    const used = new Set<string>();
    for (const name of merchantSchemas) {
      for (const [field, prop] of Object.entries(schema(name).properties ?? {})) {
        expect(prop.description, `${name}.${field}`).toBeTruthy();
        used.add(field);
      }
    }
    for (const note of Object.keys(FIELD_NOTES)) expect(used, `note for ${note} matches no field`).toContain(note);
  });

  it('the respCode table and every merchant error answer follow domain/resp-codes.ts', () => {
    const codes = Object.keys(RESP_CODES) as RespCode[];
    expect(doc['x-resp-codes']!.map((r) => r.code).sort()).toEqual([...codes].sort());
    for (const row of doc['x-resp-codes']!) expect(row.httpStatus).toBe(RESP_CODES[row.code as RespCode].httpStatus);
    for (const path of ['/api/pay', '/api/query', '/api/close']) {
      const op = doc.paths[path]!.post!;
      expect(op.requestBody?.required).toBe(true);
      expect(op.responses['200']?.content?.['application/json']?.schema.$ref).toMatch(/Answer$/);
      for (const [status, r] of Object.entries(op.responses).filter(([s]) => s !== '200')) {
        expect(r.content?.['application/json']?.schema.$ref).toBe('#/components/schemas/ErrorAnswer');
        for (const c of r['x-codes'] ?? []) {
          expect(codes).toContain(c.code);
          if (status !== '413') expect(RESP_CODES[c.code as RespCode].httpStatus).toBe(Number(status));
        }
      }
    }
    expect(Object.keys(doc.paths['/api/pay']!.post!.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409', '502', '503']));
  });

  it('describes the payment notification as a callback of /api/pay and a webhook, with the fields it really has', () => {
    const callback = doc.paths['/api/pay']!.post!.callbacks?.paymentNotification?.['{$request.body#/notifyUrl}']?.post;
    const webhook = doc.webhooks.paymentNotification?.post;
    for (const op of [callback, webhook]) {
      expect(op?.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/PaymentNotification');
      expect(op?.parameters?.map((p) => p.name)).toEqual(['X-Notify-Id', 'X-Notify-Attempt']);
      expect(op?.responses['200']?.content?.['text/plain']?.schema.const).toBe('success');
    }
    const order = {
      mercNo: 'M1', mercOrderNo: 'O1', orderId: '2024061812582900001378', tradeType: '01', amountFen: 8800,
      tradeTime: '20240618125826', feeType: 'CNY', termType: 'wap', tradeEndTime: '20240618125846', bankType: 'CMB',
      livemode: false,
    };
    const sent = buildNotification(order, 'p0000', { signType: 'MD5', keys: ['k'], nowMs: Date.now() }).body;
    expect(NotificationSchema.strict().safeParse(sent).success).toBe(true);
    expect(Object.keys(schema('PaymentNotification').properties ?? {}).sort()).toEqual(Object.keys(sent).sort());
  });
});

describe('docs page', () => {
  const page = renderDocsPage(doc);

  it('is self-contained HTML: no scripts, no external styles, images or fonts', () => {
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).not.toMatch(/<script|<link|src=|@import|url\(/i);
  });

  it('lists every endpoint and every unified-order field with its max length', () => {
    for (const [path, method] of operations(doc.paths)) expect(page).toContain(`${method.toUpperCase()}</span> <code>${path}</code>`);
    for (const [field, prop] of Object.entries(schema('UnifiedOrderRequest').properties ?? {})) {
      const row = new RegExp(`<code>${field}</code></td><td>[^<]*</td><td>${prop.maxLength ?? '\\d*'}</td>`);
      expect(page, field).toMatch(row);
    }
    expect(page).toContain('respCode table');
  });
});

// Issue 15: the document says what the server enforces (test/contract fuzzes it against the real stack).
describe('OpenAPI documents: the rules the server enforces', () => {
  const merchant = buildOpenApiDocument('merchant', { sandbox: true });
  const admin = buildOpenApiDocument('admin');

  it('merchant requests refuse unknown fields and state their cross-field rules', () => {
    for (const name of ['UnifiedOrderRequest', 'OrderRefRequest']) {
      const s = merchant.components.schemas[name]!;
      expect(s.additionalProperties, name).toBe(false);
      expect(s.allOf?.length, name).toBeGreaterThan(0);
    }
    const pay = merchant.components.schemas.UnifiedOrderRequest!;
    expect(pay.properties?.notifyUrl?.pattern).toMatch(/^\^https\?:/);
    expect(pay.properties?.tradeAmt?.pattern).toBeTruthy();
    expect(pay.properties?.subject?.minLength).toBeUndefined(); // empty = absent
    expect(pay.properties?.mercNo?.pattern).toBeTruthy();
    expect(JSON.stringify(merchant)).not.toContain('x-json-schema');
  });

  it('every text field of a request states the control-character rule or a stricter pattern', () => {
    const requests = [
      ...['UnifiedOrderRequest', 'OrderRefRequest', 'SandboxPayRequest'].map((n) => merchant.components.schemas[n]!),
      ...Object.entries(admin.components.schemas).filter(([n]) => /Body|Query|Params/.test(n)).map(([, s]) => s),
    ];
    const visit = (s: JsonSchema, where: string): void => {
      if (s.type === 'string' && !s.enum && s.const === undefined && !s.format) expect(s.pattern ?? s.anyOf, where).toBeDefined();
      for (const [k, p] of Object.entries(s.properties ?? {})) visit(p, `${where}.${k}`);
      for (const a of s.anyOf ?? []) visit(a, where);
    };
    requests.forEach((s, i) => visit(s, String(i)));
    for (const op of operations(admin.paths).map(([, , o]) => o)) {
      for (const p of op.parameters ?? []) if (p.schema.type === 'string' && !p.schema.enum && !p.schema.format) expect(p.schema.pattern, p.name).toBeTruthy();
    }
  });

  it('support bodies: redirect url is http(s) by pattern; the bulk filter states from < to', () => {
    expect(admin.components.schemas.SupportRedirectBody!.properties?.url?.pattern).toMatch(/^\^https\?:/);
    const filter = admin.components.schemas.SupportBulkReplayBody!.properties!.filter!;
    expect(filter.additionalProperties).toBe(false);
    expect(filter.description).toMatch(/from must be before to/);
  });

  it('every error answer has a schema; channel callbacks are documented, the sandbox only where it runs', () => {
    for (const doc of [merchant, admin]) {
      for (const [path, method, op] of operations(doc.paths)) {
        for (const [status, r] of Object.entries(op.responses)) {
          if (Number(status) >= 400) expect(Object.values(r.content ?? {})[0]?.schema, `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
    expect(merchant.paths['/channels/ipaynow/notify']?.post?.requestBody?.content['application/x-www-form-urlencoded']).toBeDefined();
    expect(merchant.paths['/sandbox/api/pay']?.post).toBeDefined();
    expect(buildOpenApiDocument('merchant').paths['/sandbox/api/pay']).toBeUndefined();
  });
});
