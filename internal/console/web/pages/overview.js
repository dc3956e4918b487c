// Accounts and regions in use: the scopes that hold state, as Portico's
// store lists them (GET /_portico/console/api/scopes), each with its APIs
// and custom domains, and the current scope even while it holds nothing.
import * as api from '../api.js';
import { h, table, section, copyLine, badge, toast } from '../dom.js';

async function probe(account, region) {
  const [apis, domains] = await Promise.all([
    api.listAll('/v2/apis', { account, region }),
    api.listAll('/v2/domainnames', { account, region }),
  ]);
  return {
    account, region, domains: domains.length, apis,
    http: apis.filter((a) => a.protocolType === 'HTTP').length,
    ws: apis.filter((a) => a.protocolType === 'WEBSOCKET').length,
  };
}

export async function page(ctx) {
  const inUse = await api.loadScopes();
  ctx.fillScope();
  const { account, region } = api.scope;
  const listed = inUse.some((s) => s.account === account && s.region === region) ? inUse : [...inUse, { account, region }];
  const results = await Promise.all(listed.map((s) => probe(s.account, s.region)));
  return { title: 'Accounts & regions', render: () => render(ctx, inUse.length, results) };
}

function render(ctx, used, rows) {
  const use = (account, region) => ctx.useScope(account, region, '/apis');
  const acct = h('input', { id: 'add-account', placeholder: '123456789012', inputmode: 'numeric', maxlength: '12', size: '14' });
  const region = h('input', { id: 'add-region', placeholder: api.scope.region, size: '14', list: 'regions' });
  const add = () => {
    const a = acct.value.trim() || api.scope.account;
    const r = region.value.trim() || api.scope.region;
    if (!api.ACCOUNT_RE.test(a)) return toast('An account is 12 digits', 'bad');
    if (!api.REGION_RE.test(r)) return toast('A region is lower-case letters, digits and dashes', 'bad');
    ctx.useScope(a, r, '/');
  };
  const d = api.scope.defaults;
  return h('div', { class: 'page' },
    h('h1', null, 'Accounts & regions'),
    h('p', { class: 'lede' }, 'Portico keeps state per account and region, as AWS does. A request acts as the account of a ',
      '12-digit access key id and the region of its SigV4 credential scope; unsigned ones, and other keys, as account ',
      h('code', null, d.account), ' in ', h('code', null, d.region), '.'),
    section('In use',
      table([
        { title: 'Account', cell: (r) => [h('code', null, r.account), ' ', r.account === d.account ? badge('default') : null], class: 'nowrap' },
        { title: 'Region', cell: (r) => [r.region, ' ', r.region === d.region ? badge('default') : null], class: 'nowrap' },
        { title: 'HTTP APIs', cell: (r) => String(r.http), class: 'num' },
        { title: 'WebSocket APIs', cell: (r) => String(r.ws), class: 'num' },
        { title: 'Custom domains', cell: (r) => String(r.domains), class: 'num' },
        { title: 'APIs', cell: (r) => r.apis.slice(0, 6).map((a) => a.name).join(', ') + (r.apis.length > 6 ? ', …' : ''), class: 'wide' },
        {
          title: '', cell: (r) => r.account === api.scope.account && r.region === api.scope.region
            ? badge('current', 'ok')
            : h('button', { type: 'button', class: 'small', 'data-scope': r.account + '/' + r.region, onclick: () => use(r.account, r.region) }, 'Use'),
        },
      ], rows, { empty: 'Nothing yet.', rowProps: (r) => ({ 'data-scope-row': r.account + '/' + r.region }) }),
      h('p', { class: 'muted' }, used ? `${used} account and region pair${used > 1 ? 's hold' : ' holds'} state.` : 'Nothing holds state yet.')),
    section('Another account or region',
      h('div', { class: 'form-row' },
        h('label', null, 'Account ', acct), h('label', null, 'Region ', region),
        h('datalist', { id: 'regions' }, api.REGIONS.map((r) => h('option', { value: r }))),
        h('button', { type: 'button', class: 'primary', id: 'add-scope', onclick: add }, 'Use')),
      h('p', { class: 'muted' }, 'It is listed under In use once something is made in it.'),
      h('p', { class: 'muted' }, 'The console calls the control plane with ', h('code', null,
        'Authorization: AWS4-HMAC-SHA256 Credential=ACCOUNT/20260101/REGION/apigateway/aws4_request, …'),
      ': Portico reads the scope and does not verify control-plane signatures. The same with the AWS CLI:'),
      copyLine(`export AWS_ACCESS_KEY_ID=${api.scope.account} AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=${api.scope.region}`)),
  );
}
