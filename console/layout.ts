import { html, type SafeHtml } from './html';
import type { ConsoleSession } from './session';

/** Every console path starts here (the admin listener only). */
export const CONSOLE = '/console';

export interface PageContext {
  session: ConsoleSession | null;
  /** A one-time message after an action (already plain text; escaped here). */
  notice?: { kind: 'ok' | 'error'; text: string };
}

/** A state-changing button: a POST form carrying the session's form token (CSRF). */
export function postButton(session: ConsoleSession, action: string, label: string, opts: { fields?: SafeHtml; kind?: 'primary' | 'plain' } = {}): SafeHtml {
  return html`<form method="post" action="${action}" class="inline">
<input type="hidden" name="csrf" value="${session.csrf}">${opts.fields}<button type="submit" class="${opts.kind ?? 'plain'}">${label}</button></form>`;
}

export function layout(ctx: PageContext, title: string, body: SafeHtml): string {
  const s = ctx.session;
  const nav = s
    ? html`<nav><a href="${CONSOLE}">Find</a><a href="${CONSOLE}/queue">Human queue</a><a href="${CONSOLE}/endpoints">Endpoints</a><a href="${CONSOLE}/reconciliation">Reconciliation</a>
<span class="who">${s.operator}</span>${postButton(s, `${CONSOLE}/logout`, 'Sign out')}</nav>`
    : html``;
  const notice = ctx.notice ? html`<p class="notice ${ctx.notice.kind}" role="status">${ctx.notice.text}</p>` : html``;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · paydurable support</title><link rel="stylesheet" href="${CONSOLE}/console.css"></head>
<body><header><a class="brand" href="${CONSOLE}">paydurable support</a>${nav}</header>
<main><h1>${title}</h1>${notice}${body}</main></body></html>`.text;
}

/** The console's one style sheet (served as a file: the pages' CSP allows no inline style). Phone first. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d2330;background:#f4f6f9}
header{background:#1d2330;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.5em 1em;align-items:center}
header a{color:#fff;text-decoration:none}
.brand{font-weight:700}
nav{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center}
nav .who{opacity:.8}
nav button{background:transparent;color:#fff;border:1px solid #fff6;padding:.2em .6em}
main{max-width:60em;margin:0 auto;padding:1em}
h1{font-size:1.4em;margin:.2em 0 .6em;overflow-wrap:anywhere}
h2{font-size:1.1em;margin:1.4em 0 .5em}
section,.card{background:#fff;border:1px solid #dde2ea;border-radius:8px;padding:.8em 1em;margin:0 0 1em}
dl{display:grid;grid-template-columns:minmax(7em,max-content) 1fr;gap:.2em 1em;margin:0}
dt{color:#5b6475}
dd{margin:0;overflow-wrap:anywhere}
form.inline{display:inline-block;margin:.2em .4em .2em 0}
form.stack{display:grid;gap:.5em;max-width:28em}
input[type=text],input[type=password],input[type=search],select,textarea{font:inherit;padding:.5em;border:1px solid #b9c1cf;border-radius:6px;width:100%}
button{font:inherit;padding:.5em 1em;border-radius:6px;border:1px solid #b9c1cf;background:#fff;cursor:pointer;min-height:2.6em}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}
.search{display:flex;gap:.5em}
.search input{flex:1;min-width:0}
.notice{padding:.6em 1em;border-radius:6px}
.notice.ok{background:#e6f4ea;border:1px solid #9bd3ab}
.notice.error{background:#fdecea;border:1px solid #f3a59d}
ol.timeline{list-style:none;padding:0;margin:0}
ol.timeline li{border-left:3px solid #c9d1de;padding:.2em 0 .6em .8em;overflow-wrap:anywhere}
ol.timeline li.notification{border-color:#1f6feb}
ol.timeline li.event{border-color:#2da44e}
ol.timeline li.channel_call,ol.timeline li.channel_callback{border-color:#bf8700}
.when{display:block;color:#5b6475;font-size:.85em}
ul.list{list-style:none;padding:0;margin:0}
ul.list li{padding:.5em 0;border-bottom:1px solid #eef1f5;overflow-wrap:anywhere}
.muted{color:#5b6475}
.badge{display:inline-block;padding:0 .5em;border-radius:1em;background:#eef1f5;font-size:.85em}
.filters a,.filters b{margin-right:.6em}
li.cleared{opacity:.6}
`;
