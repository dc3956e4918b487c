// The live WebSocket connections of this node (GET
// /_portico/inspect/connections): send one a message, or close it,
// through the @connections management API, as a backend would.
import * as api from '../api.js';
import { h, table, section, link, fmtTime, toast, dialog, confirmDestroy, clear } from '../dom.js';

const enc = encodeURIComponent;

export async function page(ctx) {
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
    { title: 'Connected', cell: (c) => fmtTime(c.connectedAt), class: 'nowrap' },
    { title: 'Last active', cell: (c) => fmtTime(c.lastActiveAt), class: 'nowrap' },
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
