// The inspector's pages: the traffic log (live over Server-Sent Events),
// one entry in detail with replay, and the live WebSocket connections of
// a stage. They use /_portico/inspect/...; without it they say so
// (api.InspectorMissing).
import * as api from '../api.js';
import { h, table, kv, json, section, badge, link, fmtTime, fmtClock, toast, dialog, confirmDestroy, clear } from '../dom.js';

const enc = encodeURIComponent;
const FILTERS = ['api', 'stage', 'route', 'connection', 'status', 'kind', 'since', 'limit'];
const KINDS = ['', 'http', 'connect', 'message', 'disconnect', 'post', 'delete'];

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

function ms(v) {
  return v == null ? '' : `${v} ms`;
}

function entryRow(e) {
  const tr = h('tr', { 'data-entry': e.id, class: 'clickable', onclick: () => { location.hash = `#/traffic/${enc(e.id)}`; } });
  const what = e.kind === 'http' || !e.kind ? `${e.method || ''} ${e.path || ''}` : e.routeKey || '';
  for (const v of [
    fmtClock(e.time), badge(e.kind || 'http', 'kind'), h('a', { href: `#/traffic/${enc(e.id)}` }, what.trim() || e.id),
    e.kind === 'http' ? e.routeKey || '' : e.connectionId || '', `${e.apiId || ''}${e.stage ? ' / ' + e.stage : ''}`,
    statusBadge(e.status), ms(e.latencyMs), ms(e.integrationLatencyMs),
  ]) {
    const td = document.createElement('td');
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
      if (live) {
        const es = new EventSource(api.streamURL(filters));
        es.addEventListener('entry', (ev) => {
          let e;
          try { e = JSON.parse(ev.data); } catch { return; }
          body.prepend(entryRow(e));
          while (body.rows.length > 500) body.lastElementChild.remove();
          count.textContent = `${body.rows.length} entries`;
        });
        ctx.onCleanup(() => es.close());
      }
      const inputs = {};
      const field = (k, label, el) => { inputs[k] = el; return h('label', null, label, ' ', el); };
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
            h('thead', null, h('tr', null, ['Time', 'Kind', 'Request', 'Route / connection', 'API / stage', 'Status', 'Latency', 'Integration'].map((t) => h('th', null, t)))),
            body)),
          entries.length || live ? null : h('p', { class: 'empty' }, 'No traffic matches.')));
    },
  };
}

// body shows a recorded body: text as it is, base64 decoded when it is
// text, else its size.
function bodyView(m) {
  if (!m) return null;
  let text = m.body;
  if (text == null && m.bodyBase64) {
    try {
      const bin = atob(m.bodyBase64);
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = `(${Math.round((m.bodyBase64.length * 3) / 4)} bytes of binary data)`;
    }
  }
  if (text == null || text === '') return h('p', { class: 'muted' }, 'No body.');
  let shown = text;
  try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON */ }
  return [json(shown), m.truncated ? h('p', { class: 'muted' }, 'Truncated.') : null];
}

function headersView(hs) {
  if (!hs || typeof hs !== 'object') return null;
  const rows = Object.entries(hs).sort(([a], [b]) => a.localeCompare(b));
  return table([
    { title: 'Header', cell: ([k]) => h('code', null, k) },
    { title: 'Value', cell: ([, v]) => (Array.isArray(v) ? v.join(', ') : String(v)), class: 'wide' },
  ], rows, { empty: 'No headers.' });
}

function queryText(q) {
  if (q == null) return '';
  if (typeof q === 'string') return q;
  return new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]]))).toString();
}

function messageView(title, m) {
  if (!m) return null;
  return section(title,
    kv([['Method', m.method], ['Path', m.path && h('code', null, m.path)], ['Query', queryText(m.query)], ['Status', m.status]]),
    headersView(m.headers), bodyView(m));
}

export async function entry(ctx) {
  const [id] = ctx.params;
  const e = await api.trafficEntry(id);
  return { title: 'Traffic ' + id, render: () => renderEntry(ctx, e) };
}

function renderEntry(ctx, e) {
  const i = e.integration, au = e.authorizer;
  return h('div', { class: 'page' },
    h('nav', { class: 'crumbs' }, link('#/traffic', 'Traffic'), ' / ', e.id),
    h('div', { class: 'page-head' }, h('h1', null, e.kind === 'http' || !e.kind ? `${e.method || ''} ${e.path || ''}` : `${e.kind} ${e.routeKey || ''}`),
      statusBadge(e.status)),
    section('Summary', kv([
      ['ID', h('code', null, e.id)], ['Time', fmtTime(e.time)], ['Kind', e.kind],
      ['API', e.apiId && link(`#/apis/${enc(e.apiId)}/routes`, e.apiId)], ['Stage', e.stage], ['Route', e.routeKey],
      ['Connection', e.connectionId && link(`#/traffic?connection=${enc(e.connectionId)}`, e.connectionId)],
      ['Request ID', e.requestId], ['Account', e.account], ['Region', e.region],
      ['Latency', ms(e.latencyMs)], ['Integration latency', ms(e.integrationLatencyMs)],
    ])),
    messageView('Request', e.request),
    messageView('Response', e.response),
    au ? section('Authorizer', kv([['Type', au.type], ['Name', au.name], ['Allowed', au.allowed == null ? null : au.allowed ? 'yes' : 'no'], ['Context', au.context]])) : null,
    i ? section('Integration',
      kv([['Type', i.type], ['URI', i.uri && h('code', null, i.uri)], ['Error', i.error && h('span', { class: 'bad-text' }, i.error)]]),
      i.request ? [h('h3', null, 'Integration request'), kv([['Method', i.request.method], ['Path', i.request.path], ['Query', queryText(i.request.query)]]), headersView(i.request.headers), bodyView(i.request)] : null,
      i.response ? [h('h3', null, 'Integration response'), kv([['Status', i.response.status]]), headersView(i.response.headers), bodyView(i.response)] : null) : null,
    e.templates?.length ? section('Templates', e.templates.map((t) => [h('h3', null, t.name), json(t.output ?? '')])) : null,
    e.frames?.length ? section('Frames', table([
      { title: 'Time', cell: (f) => fmtClock(f.time) },
      { title: '', cell: (f) => badge(f.direction === 'in' ? '→ in' : '← out', f.direction === 'in' ? 'http' : 'ws') },
      { title: 'Body', cell: (f) => h('code', null, f.body ?? ''), class: 'wide' },
    ], e.frames)) : null,
    replayForm(ctx, e));
}

function replayForm(ctx, e) {
  const r = e.request || {};
  const http = e.kind === 'http' || !e.kind;
  const method = h('input', { id: 'replay-method', value: r.method || e.method || 'GET', size: '7' });
  const path = h('input', { id: 'replay-path', value: r.path || e.path || '', size: '40' });
  const query = h('input', { id: 'replay-query', value: queryText(r.query), size: '30' });
  const headers = h('textarea', { id: 'replay-headers', rows: '5' }, JSON.stringify(r.headers || {}, null, 2));
  const body = h('textarea', { id: 'replay-body', rows: '5' }, r.body ?? '');
  const out = h('div', { class: 'replay-result', role: 'status' });
  const send = async (edited) => {
    let req;
    if (edited) {
      req = { body: body.value };
      if (http) {
        let hs;
        try { hs = JSON.parse(headers.value || '{}'); } catch { return toast('Headers: not JSON', 'bad'); }
        Object.assign(req, { method: method.value.trim(), path: path.value.trim(), headers: hs });
        // The query as the entry had it: a string, or an object.
        req.query = typeof r.query === 'object' && r.query ? Object.fromEntries(new URLSearchParams(query.value)) : query.value;
      }
    }
    try {
      const res = await api.replay(e.id, req);
      clear(out).append('Replayed: status ', statusBadge(res.status), ' — ', link(`#/traffic/${enc(res.entry)}`, 'new entry ' + res.entry));
    } catch (err) {
      clear(out).append(h('span', { class: 'bad-text' }, err.message));
    }
  };
  return section('Replay',
    http ? h('div', { class: 'form-grid' },
      h('label', null, 'Method', method), h('label', null, 'Path', path), h('label', null, 'Query', query),
      h('label', { class: 'full' }, 'Headers (JSON)', headers), h('label', { class: 'full' }, 'Body', body))
      : h('div', { class: 'form-grid' }, h('label', { class: 'full' }, 'Message', body)),
    h('div', { class: 'toolbar' },
      h('button', { type: 'button', id: 'replay-as-is', onclick: () => send(false) }, 'Replay as recorded'),
      h('button', { type: 'button', class: 'primary', id: 'replay-edited', onclick: () => send(true) }, 'Replay edited')),
    out);
}

// --- live connections --------------------------------------------------------------

export async function connections(ctx) {
  const apiID = ctx.query.get('api') || '', stageName = ctx.query.get('stage') || '';
  const [conns, all] = await Promise.all([api.connections({ api: apiID, stage: stageName }), api.apis()]);
  const wsApis = all.filter((a) => a.protocolType === 'WEBSOCKET').sort((a, b) => a.name.localeCompare(b.name));
  const stages = apiID && wsApis.some((a) => a.apiId === apiID) ? await api.stages(apiID) : [];
  const names = Object.fromEntries(all.map((a) => [a.apiId, a.name]));
  return {
    title: 'Connections',
    render: () => {
      const holder = h('div');
      const count = h('span', { class: 'count' });
      const show = (list) => {
        count.textContent = `${list.length} open`;
        clear(holder).append(connTable(list, names, reload));
      };
      const reload = async () => {
        try {
          show((await api.connections({ api: apiID, stage: stageName }))?.connections || []);
        } catch (e) {
          clear(holder).append(h('div', { class: 'error' }, e.message));
        }
      };
      show(conns?.connections || []);
      const timer = setInterval(() => { if (!document.querySelector('dialog[open]')) reload(); }, 3000);
      ctx.onCleanup(() => clearInterval(timer));
      return h('div', { class: 'page' },
        h('div', { class: 'page-head' }, h('h1', null, 'Live connections'), count),
        section(null,
          h('div', { class: 'filters' },
            h('label', null, 'API ', h('select', { id: 'conn-api', value: apiID, onchange: (e) => ctx.go('/connections', { api: e.target.value }) },
              h('option', { value: '' }, 'all WebSocket APIs'), wsApis.map((a) => h('option', { value: a.apiId }, `${a.name} (${a.apiId})`)))),
            h('label', null, 'Stage ', h('select', { id: 'conn-stage', value: stageName, disabled: !apiID, onchange: (e) => ctx.go('/connections', { api: apiID, stage: e.target.value }) },
              h('option', { value: '' }, 'all stages'), stages.map((s) => h('option', { value: s.stageName }, s.stageName)))),
            h('button', { type: 'button', id: 'conn-refresh', onclick: reload }, 'Refresh')),
          holder));
    },
  };
}

function connTable(list, names, reload) {
  return table([
    { title: 'Connection', cell: (c) => h('code', null, c.connectionId) },
    { title: 'API / stage', cell: (c) => [link(`#/apis/${enc(c.apiId)}/routes`, names[c.apiId] || c.apiId), ' / ', c.stage] },
    { title: 'Connected', cell: (c) => fmtTime(c.connectedAt) },
    { title: 'Last active', cell: (c) => fmtTime(c.lastActiveAt) },
    { title: 'Source', cell: (c) => c.sourceIp || '' },
    { title: 'User agent', cell: (c) => c.userAgent || '', class: 'wide' },
    {
      title: '', class: 'actions', cell: (c) => [
        link(`#/traffic?connection=${enc(c.connectionId)}`, 'Traffic'), ' ',
        h('button', { type: 'button', class: 'small', 'data-send': c.connectionId, onclick: () => sendTo(c) }, 'Send…'),
        h('button', { type: 'button', class: 'small danger', 'data-disconnect': c.connectionId, onclick: () => disconnect(c, reload) }, 'Disconnect'),
      ],
    },
  ], list, { empty: 'No open connections.', rowProps: (c) => ({ 'data-connection': c.connectionId }) });
}

async function sendTo(c) {
  const text = h('textarea', { id: 'message', rows: '6', autofocus: true, placeholder: '{"hello":"world"}' });
  const msg = await dialog({
    title: 'Send to ' + c.connectionId,
    body: [h('p', { class: 'muted' }, h('code', null, 'POST /@connections/' + c.connectionId)), text],
    buttons: [{ label: 'Cancel' }, { label: 'Send', value: () => text.value, class: 'primary' }],
  });
  if (msg == null) return;
  try {
    await api.postToConnection(c, msg);
    toast(`Sent ${msg.length} bytes to ${c.connectionId}`);
  } catch (e) {
    toast(`${e.status || ''} ${e.type || ''} ${e.message}`, 'bad');
  }
}

async function disconnect(c, reload) {
  if (!(await confirmDestroy(`connection ${c.connectionId}`, `Portico closes the connection ${c.connectionId}; its $disconnect route runs.`, 'Disconnect'))) return;
  try {
    await api.deleteConnection(c);
    toast('Disconnected ' + c.connectionId);
  } catch (e) {
    toast(e.message, 'bad');
  }
  reload();
}
