// The console's shell: the hash router, the account and region selectors,
// and the timing of each page (window.porticoRender, and the browser's
// console): how long its data took to fetch, and its DOM to build and lay
// out.
import * as api from './api.js';
import { h, clear, section } from './dom.js';
import * as apis from './pages/apis.js';
import * as domains from './pages/domains.js';
import * as connections from './pages/connections.js';
import * as inspector from './pages/inspector.js';
import * as logs from './pages/logs.js';
import * as overview from './pages/overview.js';

const routes = [
  [/^\/$/, overview.page, 'overview'],
  [/^\/apis$/, apis.list, 'apis'],
  [/^\/apis\/([^/]+)$/, apis.detail, 'apis'],
  [/^\/apis\/([^/]+)\/(routes|integrations|authorizers|models|stages|deployments|domains)$/, apis.detail, 'apis'],
  [/^\/apis\/([^/]+)\/routes\/([^/]+)$/, apis.route, 'apis'],
  [/^\/apis\/([^/]+)\/integrations\/([^/]+)$/, apis.integration, 'apis'],
  [/^\/apis\/([^/]+)\/stages\/([^/]+)$/, apis.stage, 'apis'],
  [/^\/apis\/([^/]+)\/diff$/, apis.diff, 'apis'],
  [/^\/domains$/, domains.list, 'domains'],
  [/^\/domains\/([^/]+)$/, domains.detail, 'domains'],
  [/^\/traffic$/, inspector.traffic, 'traffic'],
  [/^\/traffic\/([^/]+)$/, inspector.entry, 'traffic'],
  [/^\/connections$/, connections.page, 'connections'],
  [/^\/logs$/, logs.page, 'logs'],
];

const main = document.getElementById('main');
let seq = 0;
let cleanups = [];

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  return { path: path || '/', query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

// go navigates to a console path with query parameters (unset ones left out).
function go(path, query = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v != null && v !== '') q.set(k, v);
  const s = q.toString();
  const hash = '#' + path + (s ? '?' + s : '');
  if (location.hash === hash) render();
  else location.hash = hash;
}

async function render() {
  const my = ++seq;
  for (const f of cleanups) f();
  cleanups = [];
  const mine = [];
  const { path, query } = parseHash();
  let found = routes.find(([re]) => re.test(path));
  const params = found ? found[0].exec(path).slice(1).map(decodeURIComponent) : [];
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (found && a.dataset.nav === found[2]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  const t0 = performance.now();
  let page;
  try {
    if (!found) throw new Error('No console page at ' + path);
    page = await found[1]({ params, query, path, go, useScope, fillScope, refresh: render, onCleanup: (f) => mine.push(f) });
  } catch (e) {
    page = errorPage(e);
  }
  if (my !== seq) { // a later navigation won
    for (const f of mine) f();
    return;
  }
  cleanups = mine;
  const t1 = performance.now();
  const node = page.render();
  clear(main).append(node);
  const t2 = performance.now();
  void main.offsetHeight; // style and layout, now
  const t3 = performance.now();
  document.title = (page.title ? page.title + ' · ' : '') + 'Portico';
  main.removeAttribute('aria-busy');
  const timing = {
    path, page: page.title || '', fetchMs: round(t1 - t0), buildMs: round(t2 - t1), layoutMs: round(t3 - t2),
    renderMs: round(t3 - t1), rows: main.querySelectorAll('tbody tr').length, seq: my,
  };
  window.porticoRender = timing;
  main.dataset.rendered = String(my);
  console.info(`portico console: ${path} fetched in ${timing.fetchMs} ms, rendered in ${timing.renderMs} ms ` +
    `(DOM ${timing.buildMs} ms, layout ${timing.layoutMs} ms, ${timing.rows} rows)`);
}

const round = (ms) => Math.round(ms * 10) / 10;

function errorPage(e) {
  if (e instanceof api.InspectorOff) {
    return {
      title: 'Traffic not recorded',
      render: () => h('div', { class: 'page' }, h('h1', null, 'Traffic not recorded'),
        section(null, h('p', { class: 'inspector-off' }, e.message),
          h('p', { class: 'muted' }, 'Without --inspect-entries 0 Portico records its recent traffic. ' +
            'Live connections and log tails work either way.'))),
    };
  }
  const detail = e instanceof api.ApiError ? `${e.status} ${e.type}` : '';
  return {
    title: 'Error',
    render: () => h('div', { class: 'page' }, h('h1', null, 'Something went wrong'),
      h('div', { class: 'error', role: 'alert' }, detail ? h('strong', null, detail + ': ') : null, e.message)),
  };
}

function fillScope() {
  const acct = document.getElementById('account');
  const region = document.getElementById('region');
  acct.replaceChildren(...api.accounts().map((a) =>
    h('option', { value: a }, a + (a === api.scope.defaults.account ? ' (default)' : ''))));
  acct.value = api.scope.account;
  region.replaceChildren(...api.regions().map((r) =>
    h('option', { value: r }, r + (r === api.scope.defaults.region ? ' (default)' : ''))));
  region.value = api.scope.region;
}

// useScope switches the account and region; pages of one resource go back
// to their list, which is the new scope's.
function useScope(account, region, to) {
  api.setScope(account, region);
  fillScope();
  const { path } = parseHash();
  const target = to || (path.startsWith('/apis/') ? '/apis' : path.startsWith('/domains/') ? '/domains' : null);
  if (target && target !== path) go(target);
  else render();
}

async function start() {
  try {
    await api.init();
  } catch (e) {
    main.replaceChildren(h('div', { class: 'error', role: 'alert' }, 'Portico did not answer: ' + e.message));
    return;
  }
  document.getElementById('version').textContent = 'Portico ' + api.scope.version;
  fillScope();
  // Another account keeps the region if it holds state there, else goes
  // to the first region where it does.
  document.getElementById('account').addEventListener('change', (e) => {
    const account = e.target.value, used = api.regionsOf(account);
    useScope(account, used.length && !used.includes(api.scope.region) ? used[0] : api.scope.region);
  });
  document.getElementById('region').addEventListener('change', (e) => useScope(api.scope.account, e.target.value));
  // Back in the tab, the selectors catch up with what was made meanwhile
  // (by the CLI, say).
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') api.loadScopes().then(fillScope, () => {});
  });
  window.addEventListener('hashchange', render);
  render();
}

start();
