import { z } from 'zod';
import { version } from '../../package.json';
import { RESP_CODES, type RespCode } from '../../domain/resp-codes';
import { FIELD_NOTES } from './field-notes';
import { JSON_SCHEMA_PATCH } from '../schemas/fields';
import { MERCHANT_OPERATIONS, type CallbackSpec, type NamedSchema, type OperationSpec } from './operations';
import { CHANNEL_CALLBACK_OPERATIONS, PAYER_OPERATIONS, SANDBOX_OPERATIONS } from './channel-operations';
import { ADMIN_OPS_OPERATIONS, MERCHANT_OPS_OPERATIONS } from './ops-operations';
import { SUPPORT_OPERATIONS, SUPPORT_SECURITY_SCHEMES } from './support-operations';
import { ADMIN_OPERATIONS } from './admin-operations';
import type { JsonSchema, OpenApiDocument, OperationObject, ParameterObject, PathItemObject, ResponseObject } from './types';

/**
 * The documented operations of each listener: the route lists. A new route is one entry in one of these lists. The
 * merchant listener (API_PORT) documents only what merchants and payers reach; the admin listener (ADMIN_PORT) the
 * internal operations (support API, metrics, detailed readiness).
 */
export const MERCHANT_LISTENER_OPERATIONS: readonly OperationSpec[] = [...MERCHANT_OPERATIONS, ...CHANNEL_CALLBACK_OPERATIONS, ...PAYER_OPERATIONS, ...MERCHANT_OPS_OPERATIONS];
export const ADMIN_LISTENER_OPERATIONS: readonly OperationSpec[] = [...SUPPORT_OPERATIONS, ...ADMIN_OPERATIONS, ...ADMIN_OPS_OPERATIONS];

/** Which listener's document: the merchant API's, or the admin listener's internal one. */
export type DocumentAudience = 'merchant' | 'admin';

/** Codes in ascending order (object key order would put 000000 last). */
const RESP_CODE_LIST = (Object.keys(RESP_CODES) as RespCode[]).sort();

const TAGS = [
  { name: 'merchant', description: 'Merchant API: signed JSON requests and answers (every value a string).' },
  { name: 'support', description: 'Support API: find, explain and replay orders (named operator credentials).' },
  { name: 'admin', description: 'Admin API: create and disable merchants, rotate their keys, set their schedules, sign types, routes, channel accounts and limits (admin operators; every change audited).' },
  { name: 'channels', description: 'Payment channel callbacks: what a channel sends to the platform (its own protocol).' },
  { name: 'payer', description: 'Pages the payer opens (links from the unified order\'s answer).' },
  { name: 'sandbox', description: 'The sandbox channel\'s payer side (test mode; only where the sandbox runs).' },
  { name: 'operations', description: 'Health, readiness, metrics and this documentation.' },
];

/**
 * Builds the OpenAPI 3.1 document of one listener from its operation list. Request and answer schemas are converted
 * from the zod schemas the API validates with (`z.toJSONSchema`, input side: what a client sends or receives on the
 * wire).
 */
export function buildOpenApiDocument(audience: DocumentAudience = 'merchant', opts: { sandbox?: boolean } = {}): OpenApiDocument {
  const operations = audience === 'merchant'
    ? [...MERCHANT_LISTENER_OPERATIONS, ...(opts.sandbox ? SANDBOX_OPERATIONS : [])]
    : ADMIN_LISTENER_OPERATIONS;
  const components = new Components();
  const paths: Record<string, PathItemObject> = {};
  const webhooks: Record<string, PathItemObject> = {};
  const operationIds = new Set<string>();

  for (const op of operations) {
    if (operationIds.has(op.operationId)) throw new Error(`openapi: operationId ${op.operationId} is used twice`);
    operationIds.add(op.operationId);
    const { path, names } = openApiPath(op.path);
    const item = (paths[path] ??= {});
    if (item[op.method]) throw new Error(`openapi: ${op.method.toUpperCase()} ${op.path} is listed twice`);
    item[op.method] = operationObject(op, names, components);
    for (const cb of op.callbacks ?? []) webhooks[cb.name] = { post: { operationId: cb.name, ...callbackOperation(cb, components) } };
  }

  const securitySchemes = operations.some((op) => op.security?.length) ? SUPPORT_SECURITY_SCHEMES : {};
  return {
    openapi: '3.1.0',
    info: audience === 'merchant'
      ? { title: 'paydurable API', version, description: merchantIntroduction() }
      : { title: 'paydurable internal API (admin listener)', version, description: adminIntroduction() },
    tags: TAGS.filter((t) => operations.some((op) => op.tag === t.name)),
    paths,
    webhooks,
    components: { schemas: components.schemas, ...(Object.keys(securitySchemes).length ? { securitySchemes } : {}) },
    ...(audience === 'merchant' ? { 'x-resp-codes': RESP_CODE_LIST.map((code) => ({ code, ...RESP_CODES[code] })) } : {}),
  };
}

function operationObject(op: OperationSpec, pathNames: string[], components: Components): OperationObject {
  const parameters: ParameterObject[] = [];
  const pathProps = op.params ? components.inline(op.params) : undefined;
  for (const name of pathNames) {
    parameters.push({ name, in: 'path', required: true, schema: pathProps?.properties?.[name] ?? { type: 'string' } });
  }
  if (op.query) {
    const q = components.inline(op.query);
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      parameters.push({
        name, in: 'query', required: q.required?.includes(name) ?? false, schema,
        ...(schema.description ? { description: schema.description } : {}),
      });
    }
  }

  const responses: Record<string, ResponseObject> = {};
  if (op.answer) {
    const content = 'name' in op.answer
      ? { 'application/json': { schema: components.ref(op.answer) } }
      : { [op.answer.mediaType]: { schema: op.answer.schema ?? (op.answer.mediaType === 'application/json' ? { type: 'object' } : { type: 'string' }) } };
    const fallback = 'name' in op.answer ? 'Success' : op.answer.description;
    for (const s of op.success ?? [{ status: 200, description: fallback }]) {
      responses[String(s.status)] = s.noContent ? { description: s.description }
        : { description: s.description, content: s.mediaType ? { [s.mediaType]: { schema: { type: 'string' } } } : content };
    }
  }
  if (op.errors) {
    const errorSchema = components.ref(op.errors.schema);
    for (const c of op.errors.cases) {
      const status = String(c.httpStatus);
      const r = (responses[status] ??= { description: '', content: { 'application/json': { schema: errorSchema } }, 'x-codes': [] });
      r['x-codes']!.push({ code: c.code, meaning: c.meaning });
      r.description = r['x-codes']!.map((x) => `${x.code}: ${x.meaning}`).join('; ');
    }
  }

  const callbacks = op.callbacks?.length
    ? Object.fromEntries(op.callbacks.map((cb) => [cb.name, { [cb.url]: { post: callbackOperation(cb, components) } }]))
    : undefined;
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: !op.bodyOptional, content: { [op.bodyMediaType ?? 'application/json']: { schema: components.ref(op.body) } } } } : {}),
    responses,
    ...(callbacks ? { callbacks } : {}),
    ...(op.security?.length ? { security: op.security.map((name) => ({ [name]: [] })) } : {}),
  };
}

/** The request the platform sends (no operationId: the webhook copy carries it, and ids must be unique). */
function callbackOperation(cb: CallbackSpec, components: Components): OperationObject {
  return {
    tags: ['merchant'],
    summary: cb.summary,
    description: cb.description,
    parameters: cb.headers.map((h) => ({ name: h.name, in: 'header', required: true, description: h.description, schema: { type: 'string' } })),
    requestBody: { required: true, content: { 'application/json': { schema: components.ref(cb.body) } } },
    responses: {
      '200': {
        description: `Acknowledged only by the plain body "${cb.acknowledge}"; any other answer is retried`,
        content: { 'text/plain': { schema: { type: 'string', const: cb.acknowledge } } },
      },
    },
  };
}

/** components.schemas, filled as operations refer to named schemas. */
class Components {
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly sources = new Map<string, z.ZodType>();

  ref(named: NamedSchema): JsonSchema {
    const known = this.sources.get(named.name);
    if (known && known !== named.schema) throw new Error(`openapi: two different schemas are named ${named.name}`);
    if (!known) {
      this.sources.set(named.name, named.schema);
      this.schemas[named.name] = this.inline(named);
    }
    return { $ref: `#/components/schemas/${named.name}` };
  }

  /** The schema converted, its own definitions ($defs) moved to components, field notes added. */
  inline(named: NamedSchema): JsonSchema {
    const json = applyPatches(z.toJSONSchema(named.schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema);
    delete json.$schema;
    if (named.rules?.length) json.allOf = [...(json.allOf ?? []), ...named.rules];
    const defs = json.$defs ?? {};
    delete json.$defs;
    for (const [name, def] of Object.entries(defs)) {
      if (this.schemas[name]) throw new Error(`openapi: definition ${name} of ${named.name} clashes with a component`);
      this.schemas[name] = rewriteRefs(def);
    }
    return addNotes(rewriteRefs(json));
  }
}

/**
 * Applies the JSON Schema keywords the field helpers attach (api/schemas/fields.ts, `jsonSchema(...)`) for what
 * zod's conversion cannot see (refinements, empty strings meaning absent): each replaces the key, null removes it.
 */
function applyPatches(value: unknown): JsonSchema {
  if (Array.isArray(value)) value.forEach(applyPatches);
  else if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    const patch = node[JSON_SCHEMA_PATCH] as Record<string, unknown> | undefined;
    delete node[JSON_SCHEMA_PATCH];
    for (const [key, v] of Object.entries(patch ?? {})) {
      if (v === null) delete node[key];
      else node[key] = v;
    }
    Object.values(node).forEach(applyPatches);
  }
  return value as JsonSchema;
}

function rewriteRefs(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replace(/"#\/\$defs\//g, '"#/components/schemas/')) as JsonSchema;
}

/** Adds FIELD_NOTES as descriptions to properties that have none, at every depth. */
function addNotes(schema: JsonSchema): JsonSchema {
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const note = FIELD_NOTES[name];
    if (note && !prop.description) prop.description = note;
    addNotes(prop);
  }
  if (schema.items) addNotes(schema.items);
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) list?.forEach(addNotes);
  return schema;
}

/** `/a/:id/b` → `/a/{id}/b` and the parameter names. */
function openApiPath(expressPath: string): { path: string; names: string[] } {
  const names: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path, names };
}

function adminIntroduction(): string {
  return [
    'Internal operations of paydurable, served only on the admin listener (ADMIN_HOST:ADMIN_PORT, loopback by default;',
    'keep it on the internal side of the network): the support API, Prometheus metrics, readiness with the reason of',
    'each failed check, and this document. None of these routes exist on the merchant listener (API_PORT).',
    '',
    '**Credentials:** every support route takes `Authorization: Bearer <token>` with the token of one named operator',
    '(SUPPORT_OPERATORS, `name:token,…`); every audit record a support action writes names that operator as its actor,',
    'and the answers that show history (order events, jobs, reviews) carry it.',
    '',
    '**Admin API** (`/admin/v1`): merchant administration for the operators of ADMIN_OPERATORS (`name:token` or',
    '`name:sha256:<hex>`; a support-only token gets 403 forbidden, and without ADMIN_OPERATORS the admin API answers 503',
    'not_configured). Every change is one transaction with one admin_audit row (actor, action, merchant, a detail that',
    'never holds a key). New keys appear once, in the answer that made them.',
  ].join('\n');
}

function merchantIntroduction(): string {
  const rows = RESP_CODE_LIST.map((code) => `| ${code} | ${RESP_CODES[code].httpStatus} | ${RESP_CODES[code].desc} | ${RESP_CODES[code].meaning} |`);
  return [
    'Durable aggregated payments: every order is a Temporal workflow. Merchant requests are JSON objects whose values are',
    'all strings (no key twice, at most 64 KiB); every request and answer is signed.',
    '',
    '**Signing:** take every top-level field except `signature` whose value is not empty, sort the keys ascending, join',
    'as `k1=v1&k2=v2…` with raw values, append `&key=<merchant key>`; `MD5` → uppercase hex MD5 of that string (UTF-8),',
    '`HMAC-SHA256` → uppercase hex HMAC-SHA256 of the same string keyed with the merchant key.',
    '',
    '| respCode | HTTP | respDesc | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
    '**Limits:** 100009 (HTTP 429) is a limit of the merchant, named in `respDesc`: its request rate (with a',
    '`Retry-After` header in seconds: send the same request again after it) or its number of orders not yet final',
    '(a new unified order waits until some finish; repeats of an existing order are always answered).',
  ].join('\n');
}
