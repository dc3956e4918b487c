// Custom domain names and their API mappings.
import * as api from '../api.js';
import { aws } from '../cli.js';
import { h, table, kv, section, copyLine, copyButton, link, badge } from '../dom.js';

const enc = encodeURIComponent;

export async function list() {
  const domains = await api.domainNames();
  const maps = await Promise.all(domains.map((d) => api.apiMappings(d.domainName)));
  domains.sort((a, b) => a.domainName.localeCompare(b.domainName));
  const count = Object.fromEntries(domains.map((d, i) => [d.domainName, maps[i].length]));
  return {
    title: 'Custom domains',
    render: () => h('div', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'Custom domain names'), h('span', { class: 'muted' }, `${domains.length} in ${api.scope.account} · ${api.scope.region}`)),
      section(null,
        table([
          { title: 'Domain name', cell: (d) => link(`#/domains/${enc(d.domainName)}`, d.domainName) },
          { title: 'Endpoint', cell: (d) => (d.domainNameConfigurations || []).map((c) => h('div', null, badge(c.endpointType || 'REGIONAL'), ' ', h('code', null, c.apiGatewayDomainName || ''))) },
          { title: 'Mappings', cell: (d) => String(count[d.domainName]), class: 'num' },
          { title: 'Mapping selection', cell: (d) => d.apiMappingSelectionExpression || '' },
          { title: '', class: 'actions', cell: (d) => copyButton(aws('get-domain-name', { 'domain-name': d.domainName }), 'CLI') },
        ], domains, { empty: 'No custom domain names in this account and region.' }),
        copyLine(aws('get-domain-names')))),
  };
}

export async function detail(ctx) {
  const [name] = ctx.params;
  const [d, maps, apis] = await Promise.all([api.getDomainName(name), api.apiMappings(name), api.apis()]);
  const byID = Object.fromEntries(apis.map((a) => [a.apiId, a]));
  maps.sort((a, b) => (a.apiMappingKey || '').localeCompare(b.apiMappingKey || ''));
  return {
    title: name,
    render: () => h('div', { class: 'page' },
      h('nav', { class: 'crumbs' }, link('#/domains', 'Custom domains'), ' / ', name),
      h('h1', null, name),
      section('Domain name',
        kv([
          ['Mapping selection', d.apiMappingSelectionExpression],
          ['Mutual TLS', d.mutualTlsAuthentication],
          ['Tags', d.tags && Object.keys(d.tags).length ? d.tags : null],
        ]),
        table([
          { title: 'Endpoint type', cell: (c) => c.endpointType || '' },
          { title: 'Target domain', cell: (c) => h('code', null, c.apiGatewayDomainName || '') },
          { title: 'Certificate', cell: (c) => h('code', null, c.certificateArn || ''), class: 'wide' },
          { title: 'Security policy', cell: (c) => c.securityPolicy || '' },
          { title: 'Status', cell: (c) => c.domainNameStatus || '' },
        ], d.domainNameConfigurations || [], { empty: 'No endpoint configuration.' }),
        copyLine(aws('get-domain-name', { 'domain-name': name }))),
      section('API mappings',
        table([
          { title: 'Key', cell: (m) => h('code', null, m.apiMappingKey || '(root)') },
          { title: 'API', cell: (m) => link(`#/apis/${enc(m.apiId)}/routes`, byID[m.apiId]?.name || m.apiId) },
          { title: 'Stage', cell: (m) => link(`#/apis/${enc(m.apiId)}/stages/${enc(m.stage)}`, m.stage) },
          { title: 'Mapping ID', cell: (m) => h('code', null, m.apiMappingId) },
          { title: 'Try', class: 'wide', cell: (m) => h('code', null, `curl -i -H 'Host: ${name}' ${location.origin}/${m.apiMappingKey || ''}`) },
          { title: '', class: 'actions', cell: (m) => copyButton(aws('get-api-mapping', { 'domain-name': name, 'api-mapping-id': m.apiMappingId }), 'CLI') },
        ], maps, { empty: 'No API mappings.' }),
        copyLine(aws('get-api-mappings', { 'domain-name': name })))),
  };
}
