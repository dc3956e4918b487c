// The inspector's traffic pages: the log (live over Server-Sent Events)
// and one entry in detail with replay, on /_portico/inspect/... as
// docs/inspector.md describes them; while recording is off they say so
// (api.InspectorOff).
import * as api from '../api.js';
import { h, table, kv, json, section, badge, link, fmtTime, fmtClock, toast, clear, copyLine } from '../dom.js';
import { shq } from '../cli.js';

const enc = encodeURIComponent;
const FILTERS = ['api', 'stage', 'route', 'connection', 'status', 'kind', 'since', 'limit'];
const KINDS = ['', 'http', 'connect', 'message', 'disconnect', 'post', 'delete'];
// The kinds a replay takes (the others answer 400).
const REPLAYABLE = ['http', 'message'];

function filtersOf(query) {
  const f = {};
  for (const k of FILTERS) if (query.get(k)) f[k] = query.get(k);
  return f;
}

function statusBadge(s) {
  if (s == null) return '';
  const cls = s >= 500 ? 'bad' : s >= 400 ? 'warn' : 'ok';
  return badge(String(s), cls);
}

// ms is a latency in milliseconds, to the microsecond below 10 ms (the
// inspector's precision), so that a column of them lines up.
function ms(v) {
  return v == null ? '' : `${v.toFixed(v < 10 ? 3 : 1)} ms`;
}

// what names an entry: a request and an @connections call by method and
// path, a WebSocket event by its route key. In the list (short) the
// path's execute-api prefix goes: the API is in a column of its own.
function what(e, short = false) {
  if (e.kind !== 'http' && e.kind !== 'post' && e.kind !== 'delete') return e.routeKey || e.kind || '';
  let path = e.path || '';
  const prefix = `/_aws/execute-api/${e.apiId}`;
  if (short && e.apiId && path.startsWith(prefix + '/')) path = path.slice(prefix.length);
  return `${e.method || ''} ${path}`.trim();
}

function entryRow(e) {
  const tr = h('tr', { 'data-entry': e.id, class: 'clickable', onclick: () => { location.hash = `#/traffic/${enc(e.id)}`; } });
  for (const [v, cls] of [
    [fmtClock(e.time)], [badge(e.kind, 'kind')],
    [h('a', { href: `#/traffic/${enc(e.id)}`, title: what(e) }, what(e, true) || e.id), 'request'],
    // A request no route matched has no route key.
    [e.kind === 'http' ? e.routeKey || h('span', { class: 'muted' }, 'no route') : e.connectionId || ''],
    [`${e.apiId || ''}${e.stage ? ' / ' + e.stage : ''}`],
    [statusBadge(e.status)], [ms(e.latencyMs), 'num'], [ms(e.integrationLatencyMs), 'num'],
  ]) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    td.append(v instanceof Node ? v : String(v));
    tr.append(td);
  }
  return tr;
}

export async function traffic(ctx) {
  const filters = filtersOf(ctx.query);
  const data = await api.traffic({ limit: '200', ...filters });
  const entries = data?.entries || [];
  const live = ctx.query.get('live') === '1';
  return {
    title: 'Traffic',
    render: () => {
      const body = h('tbody', null, entries.map(entryRow));
      const count = h('span', { class: 'count' }, `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}`);
      if (live) follow(ctx, filters, entries, body, count);
      const inputs = {};
      const field = (k, label, el) => { inputs[k] = el; el.id = 'filter-' + k; return h('label', null, label, ' ', el); };
      const form = h('div', { class: 'filters' },
        field('api', 'API', h('input', { value: filters.api || '', size: '10', placeholder: 'id' })),
        field('stage', 'Stage', h('input', { value: filters.stage || '', size: '8' })),
        field('route', 'Route', h('input', { value: filters.route || '', size: '14', placeholder: 'GET /items' })),
        field('connection', 'Connection', h('input', { value: filters.connection || '', size: '12' })),
        field('status', 'Status', h('input', { value: filters.status || '', size: '4', placeholder: '5xx' })),
        field('kind', 'Kind', h('select', { value: filters.kind || '' }, KINDS.map((k) => h('option', { value: k }, k || 'any')))),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'live', checked: live }), ' Live'),
        h('button', {
          type: 'button', class: 'primary', id: 'apply-filters', onclick: (ev) => {
            const q = {};
            for (const [k, el] of Object.entries(inputs)) q[k] = el.value.trim();
            q.live = ev.currentTarget.parentElement.querySelector('#live').checked ? '1' : '';
            ctx.go('/traffic', q);
          },
        }, 'Apply'));
      return h('div', { class: 'page' },
        h('div', { class: 'page-head' }, h('h1', null, 'Traffic'), count, live ? badge('live', 'ok') : null),
        section(null, form,
          h('div', { class: 'table-wrap' }, h('table', { class: 'traffic' },
            h('thead', null, h('tr', null, ['Time', 'Kind', 'Request', 'Route / connection', 'API / stage', 'Status', 'Latency', 'Integration'].map((t, i) => h('th', { class: i > 5 ? 'num' : null }, t)))),
            body)),
          entries.length || live ? null : h('p', { class: 'empty' }, 'No traffic matches.')));
    },
  };
}

// follow puts the stream's new entries at the top of the list. The stream
// starts after the newest entry listed (since): what came between the
// list and the stream's opening is sent first, not lost. Ids grow, so an
// entry sent twice (after a reconnection, which asks again from the same
// since) is dropped.
function follow(ctx, filters, entries, body, count) {
  let newest = entries.length ? Number(entries[0].id) : 0;
  const es = new EventSource(api.streamURL({ ...filters, since: entries.length ? entries[0].id : filters.since || '0' }));
  es.addEventListener('entry', (ev) => {
    let e;
    try { e = JSON.parse(ev.data); } catch { return; }
    if (Number(e.id) <= newest) return;
    newest = Number(e.id);
    body.prepend(entryRow(e));
    while (body.rows.length > 500) body.lastElementChild.remove();
    count.textContent = `${body.rows.length} entries`;
  });
  es.addEventListener('dropped', (ev) => {
    let n = '';
    try { n = JSON.parse(ev.data).dropped; } catch { /* still worth saying */ }
    toast(`The live view fell behind and lost ${n} entries`, 'bad');
  });
  ctx.onCleanup(() => es.close());
}

// bytes is how many bytes a base64 text holds.
function bytes(b64) {
  return Math.floor((b64.length * 3) / 4) - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
}

// bodyView shows a recorded body: text as it is (JSON indented); one
// that is not UTF-8 comes as base64 (bodyBase64), shown so.
function bodyView(m) {
  if (!m) return null;
  const text = m.body ?? '';
  const cut = m.truncated ? h('p', { class: 'muted' }, 'Truncated: only the first bytes were kept (--inspect-body-bytes).') : null;
  if (m.bodyBase64) return [h('p', { class: 'muted' }, `Binary: ${bytes(text)} bytes, in base64.`), json(text), cut];
  if (text === '') return h('p', { class: 'muted' }, 'No body.');
  let shown = text;
  try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON */ }
  return [json(shown), cut];
}

function headersView(hs) {
  if (!hs || typeof hs !== 'object') return null;
  const rows = Object.entries(hs).sort(([a], [b]) => a.localeCompare(b));
  return table([
    { title: 'Header', cell: ([k]) => h('code', null, k) },
    { title: 'Value', cell: ([, v]) => (Array.isArray(v) ? v.join(', ') : String(v)), class: 'wide' },
  ], rows, { empty: 'No headers.' });
}

// messageFacts are a request's or an answer's first line: an
// integration's HTTP request has the URI it went to instead of a path.
function messageFacts(m) {
  return kv([['Method', m.method], ['URI', m.uri && h('code', null, m.uri)], ['Path', m.path && h('code', null, m.path)],
    ['Query', m.query], ['Status', m.status]]);
}

function messageView(title, m) {
  if (!m) return null;
  return section(title, messageFacts(m), headersView(m.headers), bodyView(m));
}

function frameBody(f) {
  const text = f.bodyBase64 ? `(${bytes(f.body)} bytes, base64) ${f.body}` : f.body ?? '';
  return [h('code', null, text), f.truncated ? h('span', { class: 'muted' }, ' (truncated)') : null];
}

export async function entry(ctx) {
  const [id] = ctx.params;
  const e = await api.trafficEntry(id);
  return { title: 'Traffic ' + id, render: () => renderEntry(e) };
}

function renderEntry(e) {
  const i = e.integration, au = e.authorizer;
  return h('div', { class: 'page' },
    h('nav', { class: 'crumbs' }, link('#/traffic', 'Traffic'), ' / ', e.id),
    h('div', { class: 'page-head' }, h('h1', null, e.kind === 'http' ? what(e) : `${e.kind} ${e.routeKey || ''}`), statusBadge(e.status)),
    section('Summary', kv([
      ['ID', h('code', null, e.id)], ['Time', fmtTime(e.time)], ['Kind', e.kind],
      ['Replay of', e.replayOf && h('a', { href: `#/traffic/${enc(e.replayOf)}`, class: 'replay-of' }, 'entry ' + e.replayOf)],
      ['API', e.apiId && link(`#/apis/${enc(e.apiId)}/routes`, e.apiId)], ['Stage', e.stage], ['Route', e.routeKey],
      ['Connection', e.connectionId && link(`#/traffic?connection=${enc(e.connectionId)}`, e.connectionId)],
      ['Close code', e.closeCode], ['Close reason', e.closeReason],
      ['Request ID', e.requestId], ['Account', e.account], ['Region', e.region],
      ['Latency', ms(e.latencyMs)], ['Integration latency', ms(e.integrationLatencyMs)],
    ])),
    messageView('Request', e.request),
    e.kind === 'http' && e.request ? section('Send it again with curl', copyLine(curlOf(e.request))) : null,
    messageView('Response', e.response),
    // Before the integration: what the client sent and got back.
    e.frames?.length ? section('Frames', table([
      { title: 'Time', cell: (f) => fmtClock(f.time) },
      { title: '', cell: (f) => badge(f.direction === 'in' ? '→ in' : '← out', f.direction === 'in' ? 'http' : 'ws') },
      { title: 'Body', cell: frameBody, class: 'wide' },
    ], e.frames)) : null,
    au ? section('Authorizer', kv([['Type', au.type], ['Name', au.name], ['Allowed', au.allowed ? 'yes' : 'no'],
      ['Cached', au.cached ? 'yes: the decision came from the authorizer cache' : null],
      ['Error', au.error && h('span', { class: 'bad-text' }, au.error)], ['Context', au.context]])) : null,
    i ? section('Integration',
      kv([['Type', i.type], ['URI', i.uri && h('code', null, i.uri)], ['Error', i.error && h('span', { class: 'bad-text' }, i.error)]]),
      i.request ? [h('h3', null, 'Integration request'), messageFacts(i.request), headersView(i.request.headers), bodyView(i.request)] : null,
      i.response ? [h('h3', null, 'Integration response'), messageFacts(i.response), headersView(i.response.headers), bodyView(i.response)] : null) : null,
    e.templates?.length ? section('Templates', e.templates.map((t) => [h('h3', null, t.name), json(t.output ?? ''),
      t.truncated ? h('p', { class: 'muted' }, 'Truncated.') : null])) : null,
    REPLAYABLE.includes(e.kind) ? replayForm(e) : null);
}

// Headers curl sets itself, or that describe the connection, not the
// request.
const CURL_SKIPS = new Set(['host', 'content-length', 'connection', 'accept-encoding', 'user-agent', 'transfer-encoding']);

// curlOf is the curl line that sends a recorded request again to this
// Portico, as the client sent it (a body not valid UTF-8 is left out:
// curl's command line cannot carry it; a cut body is marked).
export function curlOf(req) {
  const parts = ['curl', '-i', '-g'];
  if (req.method && req.method !== 'GET') parts.push('-X', shq(req.method));
  for (const [name, values] of Object.entries(req.headers || {})) {
    if (CURL_SKIPS.has(name.toLowerCase())) continue;
    for (const v of values) parts.push('-H', shq(`${name}: ${v}`));
  }
  if (req.body && !req.bodyBase64) parts.push('--data-binary', shq(req.body));
  const q = req.query ? '?' + req.query : '';
  parts.push(shq(location.origin + (req.path || '/') + q));
  let line = parts.join(' ');
  if (req.truncated) line += '   # the body was cut by the inspector';
  else if (req.bodyBase64) line += '   # the binary body is not on this line';
  return line;
}

// replayForm replays an HTTP request (edited: method, path, query,
// headers, body) or a message (edited: its body) through Portico's data
// plane.
function replayForm(e) {
  const http = e.kind === 'http';
  // What is replayed: the request, or the message the client sent.
  const r = http ? e.request || {} : e.frames?.find((f) => f.direction === 'in') || {};
  const method = h('input', { id: 'replay-method', value: r.method || e.method || 'GET', size: '7' });
  const path = h('input', { id: 'replay-path', value: r.path || e.path || '', size: '40' });
  const query = h('input', { id: 'replay-query', value: r.query || '', size: '30' });
  const headers = h('textarea', { id: 'replay-headers', rows: '5' }, JSON.stringify(r.headers || {}, null, 2));
  const body = h('textarea', { id: 'replay-body', rows: '5' }, r.body ?? '');
  const bodyLabel = (http ? 'Body' : 'Message') + (r.bodyBase64 ? ' (base64)' : '');
  const out = h('div', { class: 'replay-result', role: 'status' });
  const send = async (edited) => {
    let req;
    if (edited) {
      req = { body: body.value, bodyBase64: !!r.bodyBase64 };
      if (http) {
        let hs;
        try { hs = JSON.parse(headers.value || '{}'); } catch { return toast('Headers: not JSON', 'bad'); }
        Object.assign(req, { method: method.value.trim(), path: path.value.trim(), query: query.value.trim(), headers: hs });
      }
    }
    try {
      const res = await api.replay(e.id, req);
      clear(out).append('Replayed: status ', statusBadge(res.status), ' — ', link(`#/traffic/${enc(res.entry)}`, 'new entry ' + res.entry));
    } catch (err) {
      clear(out).append(h('span', { class: 'bad-text' }, `${err.status || ''} ${err.message}`.trim()));
    }
  };
  return section('Replay',
    http ? h('div', { class: 'form-grid' },
      h('label', null, 'Method', method), h('label', null, 'Path', path), h('label', null, 'Query', query),
      h('label', { class: 'full' }, 'Headers (JSON)', headers), h('label', { class: 'full' }, bodyLabel, body))
      : h('div', { class: 'form-grid' }, h('label', { class: 'full' }, bodyLabel, body)),
    r.truncated ? h('p', { class: 'muted' }, 'The recorded body was cut: Portico refuses to replay it as recorded; replayed edited, it is sent as shown.') : null,
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'replay-as-is', onclick: () => send(false) }, 'Replay as recorded'),
      h('button', { type: 'button', class: 'primary', id: 'replay-edited', onclick: () => send(true) }, 'Replay edited')),
    out);
}
