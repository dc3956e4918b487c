// APIs and everything of one API: routes (and route responses),
// integrations (and integration responses), authorizers, models, stages,
// deployments (and the diff of two), custom domain mappings.
import * as api from '../api.js';
import { aws, curl, splitRouteKey, stageURL, wsMessage, wscat } from '../cli.js';
import { definition, diffLines, hunks } from '../diff.js';
import { h, table, kv, json, templates, section, copyLine, copyButton, badge, link, fmtTime, toast, confirmDestroy } from '../dom.js';

const enc = encodeURIComponent;
const apiHref = (id, tab = 'routes') => `#/apis/${enc(id)}/${tab}`;

// --- the list ---------------------------------------------------------------

export async function list(ctx) {
  const items = await api.apis();
  items.sort((a, b) => a.name.localeCompare(b.name) || a.apiId.localeCompare(b.apiId));
  return {
    title: 'APIs',
    render: () => h('div', { class: 'page' },
      h('div', { class: 'page-head' }, h('h1', null, 'APIs'), h('span', { class: 'muted' }, `${items.length} in ${api.scope.account} · ${api.scope.region}`)),
      section(null,
        table([
          { title: 'Name', cell: (a) => h('a', { href: apiHref(a.apiId), class: 'api-name' }, a.name) },
          { title: 'ID', cell: (a) => h('code', null, a.apiId) },
          { title: 'Protocol', cell: (a) => badge(a.protocolType, a.protocolType === 'HTTP' ? 'http' : 'ws') },
          { title: 'Endpoint', cell: (a) => h('code', { class: 'url' }, a.apiEndpoint || '') },
          { title: 'Created', cell: (a) => fmtTime(a.createdDate) },
          { title: 'Description', cell: (a) => a.description || '', class: 'wide' },
          {
            title: '', class: 'actions', cell: (a) => [
              copyButton(aws('get-api', { 'api-id': a.apiId }), 'CLI'),
              h('button', { type: 'button', class: 'small danger', 'data-delete-api': a.apiId, onclick: () => removeApi(ctx, a) }, 'Delete'),
            ],
          },
        ], items, { empty: 'No APIs in this account and region. Create one with the AWS CLI:' }),
        items.length ? null : copyLine(aws('create-api', { name: 'my-api', 'protocol-type': 'HTTP' }))),
    ),
  };
}

async function removeApi(ctx, a) {
  if (!(await confirmDestroy(`API ${a.name}`, `The API ${a.name} (${a.apiId}) with all its routes, integrations, stages and deployments will be deleted.`))) return;
  try {
    await api.deleteApi(a.apiId);
    toast(`Deleted API ${a.name}`);
    ctx.go('/apis');
  } catch (e) {
    toast(e.message, 'bad');
  }
}

// --- one API: header and tabs -----------------------------------------------

const TABS = [
  ['routes', 'Routes'], ['integrations', 'Integrations'], ['authorizers', 'Authorizers'], ['models', 'Models'],
  ['stages', 'Stages'], ['deployments', 'Deployments'], ['domains', 'Custom domains'],
];

function header(ctx, a, current) {
  const isWS = a.protocolType === 'WEBSOCKET';
  return [
    h('nav', { class: 'crumbs' }, link('#/apis', 'APIs'), ' / ', a.name),
    h('div', { class: 'page-head' },
      h('h1', null, a.name), badge(a.protocolType, isWS ? 'ws' : 'http'),
      h('span', { class: 'spacer' }),
      h('button', { type: 'button', class: 'danger', id: 'delete-api', onclick: () => removeApi(ctx, a) }, 'Delete API')),
    kv([
      ['ID', h('code', null, a.apiId)],
      ['Endpoint', a.apiEndpoint && h('code', null, a.apiEndpoint)],
      ['Route selection', isWS ? h('code', null, a.routeSelectionExpression || '') : null],
      ['API key selection', isWS ? a.apiKeySelectionExpression : null],
      ['CORS', a.corsConfiguration],
      ['Description', a.description],
      ['Created', fmtTime(a.createdDate)],
      ['Execute API endpoint', a.disableExecuteApiEndpoint ? 'disabled' : null],
      ['Tags', a.tags && Object.keys(a.tags).length ? a.tags : null],
    ], 'inline'),
    copyLine(aws('get-api', { 'api-id': a.apiId })),
    h('nav', { class: 'tabs', role: 'tablist' }, TABS.map(([id, label]) =>
      h('a', { href: apiHref(a.apiId, id), role: 'tab', 'aria-selected': String(id === current), 'data-tab': id }, label))),
  ];
}

function apiPage(ctx, a, tab, title, ...content) {
  return { title: `${title} · ${a.name}`, render: () => h('div', { class: 'page' }, header(ctx, a, tab), ...content.map((c) => (typeof c === 'function' ? c() : c))) };
}

export async function detail(ctx) {
  const [id, tab = 'routes'] = ctx.params;
  return TAB_PAGES[tab](ctx, id);
}

const TAB_PAGES = {
  routes: routesTab, integrations: integrationsTab, authorizers: authorizersTab, models: modelsTab,
  stages: stagesTab, deployments: deploymentsTab, domains: domainsTab,
};

function byKey(items, key) {
  return Object.fromEntries(items.map((i) => [i[key], i]));
}

function pickStage(stages, wanted) {
  if (wanted && stages.some((s) => s.stageName === wanted)) return wanted;
  return (stages.find((s) => s.stageName === '$default') || stages[0])?.stageName || '';
}

function targetCell(a, r, ints) {
  const m = /^integrations\/(.+)$/.exec(r.target || '');
  if (!m) return r.target ? h('code', null, r.target) : h('span', { class: 'muted' }, 'none');
  const i = ints[m[1]];
  const text = i ? `${i.integrationType}${i.integrationUri ? ' ' + shortURI(i.integrationUri) : ''}` : m[1];
  return h('a', { href: `#/apis/${enc(a.apiId)}/integrations/${enc(m[1])}`, title: text }, text);
}

function shortURI(u) {
  const fn = /:function:([^:/]+)/.exec(u);
  return fn ? 'λ ' + fn[1] : u;
}

function authCell(r, auths) {
  const t = r.authorizationType || 'NONE';
  if (t === 'NONE') return h('span', { class: 'muted' }, 'NONE');
  const name = auths[r.authorizerId]?.name;
  return [badge(t, 'auth'), name ? ' ' + name : ''];
}

// noneForHTTP: route responses, integration responses and models are
// WebSocket APIs' only; an HTTP API's answer is a 400, shown as none.
function noneForHTTP(e) {
  if (e instanceof api.ApiError && e.status === 400) return null;
  throw e;
}

const collator = new Intl.Collator(undefined, { numeric: true });

// routeSort orders routes by path, then method; $default last.
function routeSort(a, b) {
  const pa = splitRouteKey(a.routeKey), pb = splitRouteKey(b.routeKey);
  return (a.routeKey === '$default') - (b.routeKey === '$default') || collator.compare(pa.path, pb.path) || collator.compare(pa.method, pb.method);
}

// invokeCell is what calls the route: a curl line, or for a WebSocket
// route the message that selects it.
// invokeCell is what calls the route: a curl line, or for a WebSocket
// route the message that selects it. One line each, cut to the column
// (the whole line is its title and what the button copies).
function invokeCell(a, r, stage) {
  if (!stage) return h('span', { class: 'muted' }, 'no stage');
  if (a.protocolType === 'WEBSOCKET') {
    const m = wsMessage(a, r);
    return m ? h('div', { class: 'invoke' }, h('code', { title: m }, m), copyButton(m, 'Copy'))
      : h('span', { class: 'muted' }, r.routeKey === '$connect' ? 'on connect' : r.routeKey === '$disconnect' ? 'on disconnect' : 'any other message');
  }
  const line = curl(a, r, stage);
  const { path } = splitRouteKey(r.routeKey);
  // The part of the URL after the API: the stage and the route's path.
  const shown = stage === '$default' ? path : '/' + stage + (path === '/' ? '' : path);
  return h('div', { class: 'invoke' }, h('code', { title: line }, h('span', { class: 'muted' }, '…'), shown), copyButton(line, 'curl'));
}

function routeKeyCell(id, r) {
  const sp = r.routeKey.indexOf(' ');
  return h('a', { href: `#/apis/${enc(id)}/routes/${enc(r.routeId)}`, class: 'route-key', title: r.routeKey },
    sp < 0 ? r.routeKey : [h('span', { class: 'method m-' + r.routeKey.slice(0, sp).toLowerCase() }, r.routeKey.slice(0, sp)), r.routeKey.slice(sp)]);
}

async function routesTab(ctx, id) {
  const [a, routes, ints, auths, stages] = await Promise.all([
    api.getApi(id), api.routes(id), api.integrations(id), api.authorizers(id), api.stages(id)]);
  routes.sort(routeSort);
  const intByID = byKey(ints, 'integrationId');
  const authByID = byKey(auths, 'authorizerId');
  const stage = pickStage(stages, ctx.query.get('stage'));
  const isWS = a.protocolType === 'WEBSOCKET';
  return apiPage(ctx, a, 'routes', 'Routes', () => section(null,
    h('div', { class: 'toolbar' },
      h('span', { class: 'count' }, `${routes.length} route${routes.length === 1 ? '' : 's'}`),
      h('span', { class: 'spacer' }),
      stages.length ? h('label', null, isWS ? 'Stage ' : 'Invoke on stage ',
        h('select', { id: 'invoke-stage', value: stage, onchange: (e) => ctx.go(`/apis/${id}/routes`, { stage: e.target.value }) },
          stages.map((s) => h('option', { value: s.stageName }, s.stageName)))) : null,
      copyButton(aws('get-routes', { 'api-id': id }), 'CLI: get-routes')),
    isWS && stage ? copyLine(wscat(a, stage)) : null,
    table([
      { title: 'Route key', cell: (r) => routeKeyCell(id, r), width: '27%', class: 'clip' },
      { title: 'Target', cell: (r) => targetCell(a, r, intByID), width: '21%', class: 'clip' },
      { title: 'Auth', cell: (r) => authCell(r, authByID), width: '14%', class: 'clip' },
      { title: isWS ? 'Message' : 'Invoke', cell: (r) => invokeCell(a, r, stage), width: 'minmax(0, 1fr)', class: 'clip' },
      {
        title: '', class: 'actions', width: '130px', cell: (r) => [
          copyButton(aws('get-route', { 'api-id': id, 'route-id': r.routeId }), 'CLI'),
          h('button', { type: 'button', class: 'small danger', 'data-delete-route': r.routeKey, onclick: () => removeRoute(ctx, a, r) }, 'Delete'),
        ],
      },
    ], routes, { empty: 'No routes.', rowProps: (r) => ({ 'data-route-id': r.routeId }) })));
}

async function removeRoute(ctx, a, r) {
  if (!(await confirmDestroy(`route ${r.routeKey}`, `The route ${r.routeKey} (${r.routeId}) of ${a.name} will be deleted, with its route responses.`))) return;
  try {
    await api.deleteRoute(a.apiId, r.routeId);
    toast(`Deleted route ${r.routeKey}`);
    ctx.go(`/apis/${a.apiId}/routes`, { stage: ctx.query.get('stage') });
  } catch (e) {
    toast(e.message, 'bad');
  }
}

export async function route(ctx) {
  const [id, routeId] = ctx.params;
  const [a, r, rrs, ints, auths, stages] = await Promise.all([api.getApi(id), api.getRoute(id, routeId),
    api.routeResponses(id, routeId).catch(noneForHTTP), api.integrations(id), api.authorizers(id), api.stages(id)]);
  const isWS = a.protocolType === 'WEBSOCKET';
  const auth = byKey(auths, 'authorizerId')[r.authorizerId];
  return apiPage(ctx, a, 'routes', r.routeKey,
    () => section(`Route ${r.routeKey}`,
      h('div', { class: 'toolbar' }, h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'danger', id: 'delete-route', onclick: () => removeRoute({ ...ctx, query: new URLSearchParams() }, a, r) }, 'Delete route')),
      kv([
        ['Route ID', h('code', null, r.routeId)],
        ['Route key', h('code', null, r.routeKey)],
        ['Target', targetCell(a, r, byKey(ints, 'integrationId'))],
        ['Authorization', r.authorizationType],
        ['Authorizer', auth ? `${auth.name} (${auth.authorizerId})` : r.authorizerId],
        ['Scopes', r.authorizationScopes?.join(', ')],
        ['API key required', r.apiKeyRequired ? 'yes' : null],
        ['Operation name', r.operationName],
        ['Model selection', r.modelSelectionExpression],
        ['Request models', r.requestModels],
        ['Request parameters', r.requestParameters],
        ['Route response selection', r.routeResponseSelectionExpression],
      ]),
      copyLine(aws('get-route', { 'api-id': id, 'route-id': r.routeId }))),
    () => section(isWS ? 'Connect and send' : 'Invoke',
      stages.length ? stages.map((s) => h('div', { class: 'stage-invoke' }, h('h3', null, 'Stage ', s.stageName),
        isWS ? [copyLine(wscat(a, s.stageName)), wsMessage(a, r) ? copyLine(wsMessage(a, r)) : null] : copyLine(curl(a, r, s.stageName))))
        : h('p', { class: 'empty' }, 'No stage serves this API yet.')),
    () => rrs && section('Route responses',
      table([
        { title: 'Key', cell: (x) => h('code', null, x.routeResponseKey) },
        { title: 'ID', cell: (x) => h('code', null, x.routeResponseId) },
        { title: 'Model selection', cell: (x) => x.modelSelectionExpression || '' },
        { title: 'Response models', cell: (x) => (x.responseModels ? json(x.responseModels) : '') },
        { title: 'Response parameters', cell: (x) => (x.responseParameters ? json(x.responseParameters) : '') },
        { title: '', class: 'actions', cell: (x) => copyButton(aws('get-route-response', { 'api-id': id, 'route-id': r.routeId, 'route-response-id': x.routeResponseId }), 'CLI') },
      ], rrs, { empty: isWS ? 'No route responses: the integration\'s answer is not sent back.' : 'No route responses (HTTP APIs have none).' }),
      copyLine(aws('get-route-responses', { 'api-id': id, 'route-id': r.routeId }))),
  );
}

// --- integrations ---------------------------------------------------------------

async function integrationsTab(ctx, id) {
  const [a, ints, routes] = await Promise.all([api.getApi(id), api.integrations(id), api.routes(id)]);
  const uses = {};
  for (const r of routes) {
    const m = /^integrations\/(.+)$/.exec(r.target || '');
    if (m) (uses[m[1]] ||= []).push(r.routeKey);
  }
  return apiPage(ctx, a, 'integrations', 'Integrations', () => section(null,
    table([
      { title: 'ID', cell: (i) => h('a', { href: `#/apis/${enc(id)}/integrations/${enc(i.integrationId)}` }, h('code', null, i.integrationId)) },
      { title: 'Type', cell: (i) => badge(i.integrationType) },
      { title: 'Method', cell: (i) => i.integrationMethod || '' },
      { title: 'URI', cell: (i) => h('code', { class: 'url' }, i.integrationUri || ''), class: 'wide' },
      { title: 'Payload', cell: (i) => i.payloadFormatVersion || '' },
      { title: 'Timeout', cell: (i) => (i.timeoutInMillis ? `${i.timeoutInMillis} ms` : '') },
      { title: 'Routes', cell: (i) => (uses[i.integrationId] || []).join(', ') },
      { title: '', class: 'actions', cell: (i) => copyButton(aws('get-integration', { 'api-id': id, 'integration-id': i.integrationId }), 'CLI') },
    ], ints, { empty: 'No integrations.' }),
    copyLine(aws('get-integrations', { 'api-id': id }))));
}

export async function integration(ctx) {
  const [id, intId] = ctx.params;
  const [a, i, irs] = await Promise.all([api.getApi(id), api.getIntegration(id, intId), api.integrationResponses(id, intId).catch(noneForHTTP)]);
  return apiPage(ctx, a, 'integrations', 'Integration ' + intId,
    () => section(`Integration ${i.integrationId}`,
      kv([
        ['Integration ID', h('code', null, i.integrationId)],
        ['Type', i.integrationType], ['Subtype', i.integrationSubtype], ['Method', i.integrationMethod],
        ['URI', i.integrationUri && h('code', null, i.integrationUri)],
        ['Connection', i.connectionType], ['Connection ID', i.connectionId],
        ['Payload format', i.payloadFormatVersion], ['Timeout', i.timeoutInMillis && `${i.timeoutInMillis} ms`],
        ['Passthrough', i.passthroughBehavior], ['Content handling', i.contentHandlingStrategy],
        ['Credentials', i.credentialsArn], ['Template selection', i.templateSelectionExpression],
        ['Response selection', i.integrationResponseSelectionExpression],
        ['Request parameters', i.requestParameters], ['Request templates', templates(i.requestTemplates)],
        ['Response parameters', i.responseParameters], ['TLS', i.tlsConfig], ['Description', i.description],
      ]),
      copyLine(aws('get-integration', { 'api-id': id, 'integration-id': i.integrationId }))),
    () => irs && section('Integration responses',
      table([
        { title: 'Key', cell: (x) => h('code', null, x.integrationResponseKey) },
        { title: 'ID', cell: (x) => h('code', null, x.integrationResponseId) },
        { title: 'Template selection', cell: (x) => x.templateSelectionExpression || '' },
        { title: 'Templates', cell: (x) => templates(x.responseTemplates), class: 'wide' },
        { title: 'Parameters', cell: (x) => (x.responseParameters ? json(x.responseParameters) : '') },
        { title: '', class: 'actions', cell: (x) => copyButton(aws('get-integration-response', { 'api-id': id, 'integration-id': intId, 'integration-response-id': x.integrationResponseId }), 'CLI') },
      ], irs, { empty: 'No integration responses.' }),
      copyLine(aws('get-integration-responses', { 'api-id': id, 'integration-id': intId }))));
}

// --- authorizers, models ---------------------------------------------------------

async function authorizersTab(ctx, id) {
  const [a, auths] = await Promise.all([api.getApi(id), api.authorizers(id)]);
  return apiPage(ctx, a, 'authorizers', 'Authorizers', () => section(null,
    table([
      { title: 'Name', cell: (x) => x.name },
      { title: 'ID', cell: (x) => h('code', null, x.authorizerId) },
      { title: 'Type', cell: (x) => badge(x.authorizerType, 'auth') },
      { title: 'Identity source', cell: (x) => (x.identitySource || []).join(', ') },
      {
        title: 'Configuration', class: 'wide', cell: (x) => kv([
          ['Issuer', x.jwtConfiguration?.issuer], ['Audience', x.jwtConfiguration?.audience?.join(', ')],
          ['URI', x.authorizerUri], ['Payload', x.authorizerPayloadFormatVersion],
          ['Simple responses', x.enableSimpleResponses ? 'yes' : null],
          ['Cache TTL', x.authorizerResultTtlInSeconds != null ? `${x.authorizerResultTtlInSeconds} s` : null],
          ['Validation', x.identityValidationExpression],
        ]),
      },
      { title: '', class: 'actions', cell: (x) => copyButton(aws('get-authorizer', { 'api-id': id, 'authorizer-id': x.authorizerId }), 'CLI') },
    ], auths, { empty: 'No authorizers.' }),
    copyLine(aws('get-authorizers', { 'api-id': id }))));
}

async function modelsTab(ctx, id) {
  const [a, ms] = await Promise.all([api.getApi(id), api.models(id).catch(noneForHTTP)]);
  return apiPage(ctx, a, 'models', 'Models', () => section(null, !ms ? h('p', { class: 'empty' }, 'Models are for WebSocket APIs only.') :
    table([
      { title: 'Name', cell: (m) => m.name },
      { title: 'ID', cell: (m) => h('code', null, m.modelId) },
      { title: 'Content type', cell: (m) => m.contentType || '' },
      { title: 'Schema', class: 'wide', cell: (m) => h('details', null, h('summary', null, m.description || 'schema'), json(prettySchema(m.schema))) },
      { title: '', class: 'actions', cell: (m) => copyButton(aws('get-model', { 'api-id': id, 'model-id': m.modelId }), 'CLI') },
    ], ms, { empty: 'No models.' }),
    copyLine(aws('get-models', { 'api-id': id }))));
}

function prettySchema(s) {
  try {
    return JSON.stringify(JSON.parse(s), null, 2);
  } catch {
    return s || '';
  }
}

// --- stages -----------------------------------------------------------------------

function deploymentLink(id, d) {
  return d ? h('a', { href: `#/apis/${enc(id)}/deployments?highlight=${enc(d)}`, class: 'deployment' }, h('code', null, d)) : h('span', { class: 'muted' }, 'not deployed');
}

async function stagesTab(ctx, id) {
  const [a, stages] = await Promise.all([api.getApi(id), api.stages(id)]);
  stages.sort((x, y) => x.stageName.localeCompare(y.stageName));
  return apiPage(ctx, a, 'stages', 'Stages', () => section(null,
    table([
      { title: 'Stage', cell: (s) => h('a', { href: `#/apis/${enc(id)}/stages/${enc(s.stageName)}`, class: 'stage-name' }, s.stageName) },
      { title: 'Deployment', cell: (s) => deploymentLink(id, s.deploymentId) },
      { title: 'Auto deploy', cell: (s) => (s.autoDeploy ? badge('auto', 'ok') : '') },
      { title: 'Updated', cell: (s) => fmtTime(s.lastUpdatedDate) },
      { title: 'URL', class: 'wide', cell: (s) => h('code', { class: 'url' }, stageURL(id, s.stageName, a.protocolType)) },
      { title: 'Variables', cell: (s) => String(Object.keys(s.stageVariables || {}).length || '') },
      {
        title: '', class: 'actions', cell: (s) => [
          copyButton(aws('get-stage', { 'api-id': id, 'stage-name': s.stageName }), 'CLI'),
          h('button', { type: 'button', class: 'small danger', 'data-delete-stage': s.stageName, onclick: () => removeStage(ctx, a, s) }, 'Delete'),
        ],
      },
    ], stages, { empty: 'No stages.', rowProps: (s) => ({ 'data-stage': s.stageName }) }),
    copyLine(aws('get-stages', { 'api-id': id }))));
}

async function removeStage(ctx, a, s) {
  if (!(await confirmDestroy(`stage ${s.stageName}`, `The stage ${s.stageName} of ${a.name} will be deleted; its URL stops answering.`))) return;
  try {
    await api.deleteStage(a.apiId, s.stageName);
    toast(`Deleted stage ${s.stageName}`);
    ctx.go(`/apis/${a.apiId}/stages`);
  } catch (e) {
    toast(e.message, 'bad');
  }
}

export async function stage(ctx) {
  const [id, name] = ctx.params;
  const [a, s, deps] = await Promise.all([api.getApi(id), api.getStage(id, name), api.deployments(id)]);
  const d = deps.find((x) => x.deploymentId === s.deploymentId);
  const group = api.logGroup(s.accessLogSettings?.destinationArn);
  const isWS = a.protocolType === 'WEBSOCKET';
  const vars = Object.entries(s.stageVariables || {}).sort(([x], [y]) => x.localeCompare(y));
  return apiPage(ctx, a, 'stages', 'Stage ' + name,
    () => section(`Stage ${s.stageName}`,
      h('div', { class: 'toolbar' },
        link(`#/traffic?api=${enc(id)}&stage=${enc(name)}`, 'Traffic'),
        isWS ? link(`#/connections?api=${enc(id)}&stage=${enc(name)}`, 'Live connections') : null,
        group ? link(`#/logs?group=${enc(group)}`, 'Access log') : null,
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'danger', id: 'delete-stage', onclick: () => removeStage(ctx, a, s) }, 'Delete stage')),
      kv([
        ['URL', copyLine(stageURL(id, s.stageName, a.protocolType))],
        ['Serves deployment', h('span', { class: 'serves' }, deploymentLink(id, s.deploymentId),
          d ? ` created ${fmtTime(d.createdDate)}${d.description ? ' — ' + d.description : ''}` : '')],
        ['Auto deploy', s.autoDeploy ? 'yes' : 'no'],
        ['Last deployment', s.lastDeploymentStatusMessage],
        ['Description', s.description],
        ['Created', fmtTime(s.createdDate)], ['Updated', fmtTime(s.lastUpdatedDate)],
        ['Default route settings', s.defaultRouteSettings],
        ['Route settings', s.routeSettings && Object.keys(s.routeSettings).length ? s.routeSettings : null],
        ['Access log', s.accessLogSettings],
        ['Client certificate', s.clientCertificateId],
        ['Tags', s.tags && Object.keys(s.tags).length ? s.tags : null],
      ]),
      copyLine(aws('get-stage', { 'api-id': id, 'stage-name': s.stageName }))),
    () => section('Stage variables',
      table([
        { title: 'Name', cell: ([k]) => h('code', null, k) },
        { title: 'Value', cell: ([, v]) => h('code', null, v), class: 'wide' },
      ], vars, { empty: 'No stage variables.' })));
}

// --- deployments and their diff -----------------------------------------------------

async function deploymentsTab(ctx, id) {
  const [a, deps, stages] = await Promise.all([api.getApi(id), api.deployments(id), api.stages(id)]);
  deps.sort((x, y) => String(y.createdDate).localeCompare(String(x.createdDate)));
  const servedBy = {};
  for (const s of stages) if (s.deploymentId) (servedBy[s.deploymentId] ||= []).push(s.stageName);
  const hl = ctx.query.get('highlight');
  const opts = (sel) => [h('option', { value: 'live' }, 'live configuration'),
    ...deps.map((d) => h('option', { value: d.deploymentId }, `${d.deploymentId} · ${fmtTime(d.createdDate)}${servedBy[d.deploymentId] ? ' · ' + servedBy[d.deploymentId].join(', ') : ''}`))];
  const from = h('select', { id: 'diff-from', value: deps[1]?.deploymentId || deps[0]?.deploymentId || 'live' }, opts());
  const to = h('select', { id: 'diff-to', value: deps[1] ? deps[0].deploymentId : 'live' }, opts());
  return apiPage(ctx, a, 'deployments', 'Deployments', () => section(null,
    deps.length ? h('div', { class: 'toolbar' }, h('span', null, 'Compare '), from, h('span', null, ' with '), to,
      h('button', { type: 'button', class: 'primary', id: 'diff-go', onclick: () => ctx.go(`/apis/${id}/diff`, { from: from.value, to: to.value }) }, 'Diff'))
      : null,
    table([
      { title: 'Deployment', cell: (d) => h('code', null, d.deploymentId) },
      { title: 'Created', cell: (d) => fmtTime(d.createdDate) },
      { title: 'Status', cell: (d) => badge(d.deploymentStatus || '', d.deploymentStatus === 'DEPLOYED' ? 'ok' : 'bad') },
      { title: 'Auto', cell: (d) => (d.autoDeployed ? 'auto' : '') },
      { title: 'Served by', cell: (d) => (servedBy[d.deploymentId] || []).map((n) => link(`#/apis/${enc(id)}/stages/${enc(n)}`, n)).flatMap((l, i) => (i ? [', ', l] : [l])) },
      { title: 'Description', cell: (d) => d.description || '', class: 'wide' },
      { title: '', class: 'actions', cell: (d) => copyButton(aws('get-deployment', { 'api-id': id, 'deployment-id': d.deploymentId }), 'CLI') },
    ], deps, { empty: 'No deployments.', rowProps: (d) => ({ 'data-deployment': d.deploymentId, class: d.deploymentId === hl ? 'highlight' : null }) }),
    copyLine(aws('get-deployments', { 'api-id': id }))));
}

// diff compares what two deployments froze (the console's snapshot
// endpoint: ExportApi exports only what a stage serves, and no WebSocket
// API), as a line diff of their definitions (diff.js).
export async function diff(ctx) {
  const [id] = ctx.params;
  const from = ctx.query.get('from') || 'live', to = ctx.query.get('to') || 'live';
  const dep = (v) => (v === 'live' ? '' : v);
  const [a, sa, sb] = await Promise.all([api.getApi(id), api.snapshot(id, dep(from)), api.snapshot(id, dep(to))]);
  const la = definition(sa), lb = definition(sb);
  const script = diffLines(la, lb);
  const hs = hunks(script);
  const added = script.filter((e) => e.op === '+').length, removed = script.filter((e) => e.op === '-').length;
  const name = (v) => (v === 'live' ? 'live configuration' : 'deployment ' + v);
  return apiPage(ctx, a, 'deployments', 'Diff', () => section(`${name(from)} → ${name(to)}`,
    h('p', { class: 'diff-stat' }, hs.length ? [h('span', { class: 'add' }, `+${added}`), ' ', h('span', { class: 'del' }, `−${removed}`), ` lines in ${hs.length} place${hs.length === 1 ? '' : 's'}`] : 'No differences.'),
    hs.length ? h('div', { class: 'diff' }, hs.map((hk) => [
      h('div', { class: 'hunk' }, `@@ -${hk.aStart},${hk.aLen} +${hk.bStart},${hk.bLen} @@`),
      hk.lines.map((l) => h('div', { class: 'line ' + (l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx') }, l.op + ' ' + l.text)),
    ])) : null,
    h('p', { class: 'muted' }, 'Snapshots compared: routes with their route responses, integrations with their integration responses, models and authorizers, as each deployment froze them.')));
}

// --- custom domains of this API --------------------------------------------------------

async function domainsTab(ctx, id) {
  const [a, domains] = await Promise.all([api.getApi(id), api.domainNames()]);
  const maps = await Promise.all(domains.map((d) => api.apiMappings(d.domainName)));
  const rows = [];
  domains.forEach((d, i) => { for (const m of maps[i]) if (m.apiId === id) rows.push({ d, m }); });
  return apiPage(ctx, a, 'domains', 'Custom domains', () => section(null,
    table([
      { title: 'Domain name', cell: ({ d }) => link(`#/domains/${enc(d.domainName)}`, d.domainName) },
      { title: 'Mapping key', cell: ({ m }) => h('code', null, m.apiMappingKey || '(root)') },
      { title: 'Stage', cell: ({ m }) => link(`#/apis/${enc(id)}/stages/${enc(m.stage)}`, m.stage) },
      { title: 'Mapping ID', cell: ({ m }) => h('code', null, m.apiMappingId) },
      { title: 'Try', class: 'wide', cell: ({ d, m }) => h('code', null, `curl -i -H 'Host: ${d.domainName}' ${location.origin}/${m.apiMappingKey || ''}`) },
      { title: '', class: 'actions', cell: ({ d, m }) => copyButton(aws('get-api-mapping', { 'domain-name': d.domainName, 'api-mapping-id': m.apiMappingId }), 'CLI') },
    ], rows, { empty: 'No custom domain maps to this API.' })));
}
