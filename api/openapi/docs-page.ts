import type { JsonSchema, OpenApiDocument, OperationObject, PathItemObject } from './types';

/**
 * The human docs page (GET /docs): one self-contained HTML page rendered from the OpenAPI document — no scripts, no
 * external styles or fonts (the machines may have no internet). Endpoints with their fields, types, lengths and rules,
 * the error answers, the webhooks and the respCode table.
 */
export function renderDocsPage(doc: OpenApiDocument): string {
  const resolve = (s: JsonSchema): JsonSchema => resolveRef(doc, s);
  const endpoints = Object.entries(doc.paths).flatMap(([path, item]) => operationsOf(item).map(([method, op]) => ({ path, method, op })));
  const nav = endpoints.map((e) => `<li><a href="#${anchor(e.method, e.path)}"><code>${e.method.toUpperCase()} ${esc(e.path)}</code></a> ${esc(e.op.summary)}</li>`);
  const webhooks = Object.entries(doc.webhooks).flatMap(([name, item]) => operationsOf(item).map(([method, op]) => ({ name, method, op })));

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} ${esc(doc.info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 2rem;color:#1d2330}
h1{margin-bottom:0}h2{border-bottom:2px solid #d5dae3;padding-bottom:.2rem;margin-top:2.5rem}h3{margin-top:2rem}
code{font:13px ui-monospace,monospace;background:#f1f3f7;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}th,td{border:1px solid #d5dae3;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f1f3f7}td.n{white-space:nowrap}.req{color:#b3261e;font-weight:600}.muted{color:#5b6577}
.m{display:inline-block;min-width:3.5rem;font-weight:700}
</style></head><body>
<h1>${esc(doc.info.title)}</h1><p class="muted">OpenAPI ${esc(doc.openapi)} · version ${esc(doc.info.version)} · <a href="/openapi.json">openapi.json</a></p>
${paragraphs(doc.info.description)}
<h2>Endpoints</h2><ul>${nav.join('')}</ul>
${endpoints.map((e) => renderOperation(e.method, e.path, e.op, resolve)).join('\n')}
${webhooks.length ? `<h2>Webhooks (platform → merchant)</h2>${webhooks.map((w) => renderOperation(w.method, w.name, w.op, resolve, true)).join('\n')}` : ''}
${doc['x-resp-codes'] ? respCodeTable(doc['x-resp-codes']) : ''}
</body></html>
`;
}

function respCodeTable(rows: NonNullable<OpenApiDocument['x-resp-codes']>): string {
  return `<h2 id="resp-codes">respCode table</h2>
<table><tr><th>respCode</th><th>HTTP</th><th>respDesc</th><th>meaning</th></tr>
${rows.map((r) => `<tr><td><code>${esc(r.code)}</code></td><td>${r.httpStatus}</td><td>${esc(r.desc)}</td><td>${esc(r.meaning)}</td></tr>`).join('\n')}
</table>`;
}

function renderOperation(method: string, path: string, op: OperationObject, resolve: (s: JsonSchema) => JsonSchema, webhook = false): string {
  const parts = [`<h3 id="${anchor(method, path)}"><span class="m">${method.toUpperCase()}</span> <code>${esc(path)}</code> — ${esc(op.summary)}</h3>`];
  if (op.description) parts.push(paragraphs(op.description));
  const headers = (op.parameters ?? []).filter((p) => p.in === 'header');
  const params = (op.parameters ?? []).filter((p) => p.in !== 'header');
  if (headers.length) parts.push(`<h4>Headers</h4>${fieldTable(headers.map((p) => ({ name: p.name, schema: { ...p.schema, description: p.description ?? '' }, required: p.required })))}`);
  if (params.length) parts.push(`<h4>Parameters</h4>${fieldTable(params.map((p) => ({ name: `${p.name} (${p.in})`, schema: p.schema, required: p.required })))}`);
  const body = op.requestBody?.content['application/json']?.schema;
  if (body) parts.push(`<h4>${webhook ? 'Body sent' : 'Request body'} <span class="muted">(JSON${refName(body)})</span></h4>${fieldTable(fieldsOf(resolve(body), resolve))}`);

  for (const [status, response] of Object.entries(op.responses)) {
    const [mediaType, media] = Object.entries(response.content ?? {})[0] ?? [];
    if (status.startsWith('2')) {
      const schema = media?.schema;
      const fields = schema && mediaType === 'application/json' ? fieldsOf(resolve(schema), resolve) : [];
      parts.push(`<h4>${webhook ? 'Expected answer' : 'Answer'} ${status} <span class="muted">(${esc(mediaType ?? 'no body')}${schema ? refName(schema) : ''})</span></h4>`);
      parts.push(fields.length ? fieldTable(fields) : `<p>${esc(response.description)}</p>`);
    }
  }
  const errors = Object.entries(op.responses).filter(([status]) => !status.startsWith('2'));
  if (errors.length) {
    const rows = errors.flatMap(([status, r]) => (r['x-codes'] ?? [{ code: '', meaning: r.description }])
      .map((c) => `<tr><td>${status}</td><td><code>${esc(c.code)}</code></td><td>${esc(c.meaning)}</td></tr>`));
    const schema = Object.values(errors[0]![1].content ?? {})[0]?.schema;
    parts.push(`<h4>Error answers <span class="muted">(${schema ? `JSON${refName(schema)}` : 'see description'})</span></h4><table><tr><th>HTTP</th><th>code</th><th>meaning</th></tr>${rows.join('')}</table>`);
  }
  for (const [name, cb] of Object.entries(op.callbacks ?? {})) {
    parts.push(`<p>Callback <a href="#${anchor('post', name)}"><code>${esc(name)}</code></a> → <code>${esc(Object.keys(cb)[0] ?? '')}</code></p>`);
  }
  return parts.join('\n');
}

interface FieldRow {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** Properties of an object schema as rows; nested objects and arrays of objects are flattened as a.b and a[].b. */
function fieldsOf(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema, prefix = ''): FieldRow[] {
  const rows: FieldRow[] = [];
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const prop = resolve(raw);
    const full = `${prefix}${name}`;
    rows.push({ name: full, schema: prop, required: schema.required?.includes(name) ?? false });
    if (prop.properties) rows.push(...fieldsOf(prop, resolve, `${full}.`));
    const items = prop.items ? resolve(prop.items) : undefined;
    if (items?.properties) rows.push(...fieldsOf(items, resolve, `${full}[].`));
  }
  return rows;
}

function fieldTable(rows: FieldRow[]): string {
  if (rows.length === 0) return '<p class="muted">No fields.</p>';
  const body = rows.map((r) => `<tr><td class="n"><code>${esc(r.name)}</code></td><td>${esc(typeOf(r.schema))}</td><td>${maxLengthOf(r.schema)}</td>`
    + `<td>${r.required ? '<span class="req">yes</span>' : 'no'}</td><td>${rules(r.schema)}</td></tr>`);
  return `<table><tr><th>field</th><th>type</th><th>max length</th><th>required</th><th>rules</th></tr>${body.join('')}</table>`;
}

/** maxLength, or for enums and constants the longest value (what the merchant API table calls max). */
function maxLengthOf(s: JsonSchema): string {
  if (s.maxLength !== undefined) return String(s.maxLength);
  const values = s.enum ?? (s.const !== undefined ? [s.const] : []);
  return values.length && values.every((v) => typeof v === 'string') ? String(Math.max(...values.map((v) => String(v).length))) : '';
}

function typeOf(s: JsonSchema): string {
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf ?? []).map(typeOf).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type ?? 'any';
  if (t === 'array' && s.items) return `array of ${typeOf(s.items)}`;
  return t;
}

function rules(s: JsonSchema): string {
  const out: string[] = [];
  if (s.const !== undefined) out.push(`exactly <code>${esc(String(s.const))}</code>`);
  if (s.enum) out.push(`one of ${s.enum.map((v) => `<code>${esc(String(v))}</code>`).join(', ')}`);
  if (s.format) out.push(`format ${esc(s.format)}`);
  else if (s.pattern) out.push(`pattern <code>${esc(s.pattern)}</code>`);
  if (s.minLength !== undefined && s.minLength > 1) out.push(`at least ${s.minLength} characters`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.default !== undefined) out.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
  if (s.description) out.push(esc(s.description));
  return out.join('; ');
}

function resolveRef(doc: OpenApiDocument, s: JsonSchema): JsonSchema {
  const name = s.$ref?.replace('#/components/schemas/', '');
  return name !== undefined ? doc.components.schemas[name] ?? s : s;
}

function refName(s: JsonSchema): string {
  return s.$ref ? ` ${esc(s.$ref.split('/').pop() ?? '')}` : '';
}

function operationsOf(item: PathItemObject): [string, OperationObject][] {
  return Object.entries(item).filter((e): e is [string, OperationObject] => e[1] !== undefined);
}

/** Blank-line separated paragraphs with `code` and **bold**; markdown tables are left out (rendered from data). */
function paragraphs(text: string): string {
  return text.split(/\n\s*\n/)
    .map((p) => p.split('\n').filter((line) => !line.startsWith('|')).join(' ').trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${esc(p).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')}</p>`)
    .join('\n');
}

function anchor(method: string, path: string): string {
  return `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
