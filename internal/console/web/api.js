// The console's clients: the control plane (/v2/...) as the selected
// account and region, the operations endpoints (/_portico/...), the
// inspector, and the @connections management API.
//
// Portico reads the account and region of a control-plane request from
// its SigV4 credential scope and does not verify control-plane
// signatures (internal/awsproto/identity.go), so an Authorization header
// that carries only the scope selects them: a 12-digit access key id is
// the account.

// REGIONS are AWS's regions: suggestions for a scope to add, not a list
// to ask (GET /_portico/console/api/scopes says which hold state).
export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'ca-west-1', 'mx-central-1', 'sa-east-1',
  'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2',
  'il-central-1', 'me-south-1', 'me-central-1', 'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-7',
  'us-gov-west-1', 'us-gov-east-1', 'cn-north-1', 'cn-northwest-1',
];

export const ACCOUNT_RE = /^\d{12}$/;
export const REGION_RE = /^[a-z0-9-]{1,32}$/;

const STORE = 'portico.console';

// scope is the account and region the console acts as; defaults are the
// server's (what unsigned requests get).
export const scope = { account: '', region: '', defaults: { account: '', region: '' }, version: '' };

function saved() {
  try {
    return JSON.parse(localStorage.getItem(STORE)) || {};
  } catch {
    return {};
  }
}

function save(patch) {
  try {
    localStorage.setItem(STORE, JSON.stringify({ ...saved(), ...patch }));
  } catch { /* private mode: the choice lasts this page only */ }
}

export async function init() {
  // Without the scopes (a failing store) the selectors offer the default
  // and the saved scope: the rest of the console still says what it can.
  const [cfg] = await Promise.all([request('GET', '/_portico/console/api/config'), loadScopes().catch(() => [])]);
  scope.defaults = { account: cfg.account, region: cfg.region };
  scope.version = cfg.version;
  const s = saved();
  scope.account = ACCOUNT_RE.test(s.account || '') ? s.account : cfg.account;
  scope.region = REGION_RE.test(s.region || '') ? s.region : cfg.region;
}

export function setScope(account, region) {
  scope.account = account;
  scope.region = region;
  save({ account, region });
}

// inUse are the scopes that hold state, sorted, as Portico last said
// (loadScopes): its store knows them exactly, so nothing is guessed.
export let inUse = [];

export async function loadScopes() {
  inUse = (await request('GET', '/_portico/console/api/scopes'))?.scopes || [];
  return inUse;
}

// accounts are those the selector offers: the ones holding state, the
// default and the current one.
export function accounts() {
  return [...new Set([scope.defaults.account, scope.account, ...inUse.map((s) => s.account)])].sort();
}

// regionsOf are the regions where account holds state.
export function regionsOf(account) {
  return inUse.filter((s) => s.account === account).map((s) => s.region);
}

// regions are those the selector offers for the current account: where it
// holds state, the default and the current one.
export function regions() {
  return [...new Set([scope.defaults.region, scope.region, ...regionsOf(scope.account)])].sort();
}

export function authorization(account = scope.account, region = scope.region) {
  return `AWS4-HMAC-SHA256 Credential=${account}/20260101/${region}/apigateway/aws4_request, SignedHeaders=host, Signature=0`;
}

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.type = type || '';
  }
}

async function request(method, path, { query, body, headers = {}, raw } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v != null && v !== '') url.searchParams.set(k, v);
  }
  const init = { method, headers: { ...headers }, cache: 'no-store' };
  if (body !== undefined) {
    if (typeof body === 'string') {
      init.body = body;
    } else {
      init.body = JSON.stringify(body);
      init.headers['Content-Type'] = 'application/json';
    }
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = raw ? text : null;
    }
  }
  if (!res.ok) {
    throw new ApiError(res.status, res.headers.get('x-amzn-ErrorType'), data?.message || data?.Message || text.slice(0, 300));
  }
  return raw ? { status: res.status, data, text } : data;
}

// cp calls the control plane as the selected account and region (or as
// another, for the overview's probes).
export function cp(method, path, opts = {}) {
  const headers = { Authorization: authorization(opts.account, opts.region) };
  return request(method, path, { ...opts, headers });
}

// listAll follows nextToken to the end.
export async function listAll(path, opts = {}) {
  const items = [];
  let token;
  do {
    const page = await cp('GET', path, { ...opts, query: { ...(opts.query || {}), maxResults: '500', nextToken: token } });
    items.push(...(page?.items || []));
    token = page?.nextToken;
  } while (token);
  return items;
}

export const enc = encodeURIComponent;

// Resources of one API.
export const apis = () => listAll('/v2/apis');
export const getApi = (id) => cp('GET', `/v2/apis/${enc(id)}`);
export const routes = (id) => listAll(`/v2/apis/${enc(id)}/routes`);
export const getRoute = (id, r) => cp('GET', `/v2/apis/${enc(id)}/routes/${enc(r)}`);
export const routeResponses = (id, r) => listAll(`/v2/apis/${enc(id)}/routes/${enc(r)}/routeresponses`);
export const integrations = (id) => listAll(`/v2/apis/${enc(id)}/integrations`);
export const getIntegration = (id, i) => cp('GET', `/v2/apis/${enc(id)}/integrations/${enc(i)}`);
export const integrationResponses = (id, i) => listAll(`/v2/apis/${enc(id)}/integrations/${enc(i)}/integrationresponses`);
export const authorizers = (id) => listAll(`/v2/apis/${enc(id)}/authorizers`);
export const models = (id) => listAll(`/v2/apis/${enc(id)}/models`);
export const stages = (id) => listAll(`/v2/apis/${enc(id)}/stages`);
export const getStage = (id, s) => cp('GET', `/v2/apis/${enc(id)}/stages/${enc(s)}`);
export const deployments = (id) => listAll(`/v2/apis/${enc(id)}/deployments`);
export const domainNames = () => listAll('/v2/domainnames');
export const getDomainName = (d) => cp('GET', `/v2/domainnames/${enc(d)}`);
export const apiMappings = (d) => listAll(`/v2/domainnames/${enc(d)}/apimappings`);
export const deleteApi = (id) => cp('DELETE', `/v2/apis/${enc(id)}`);
export const deleteRoute = (id, r) => cp('DELETE', `/v2/apis/${enc(id)}/routes/${enc(r)}`);
export const deleteStage = (id, s) => cp('DELETE', `/v2/apis/${enc(id)}/stages/${enc(s)}`);

// snapshot is what a deployment froze ('' : the live configuration).
export const snapshot = (api, deployment) =>
  cp('GET', '/_portico/console/api/snapshot', { query: { api, deployment } });

// The inspector (/_portico/inspect/...). While recording is off
// (--inspect-entries 0) the traffic endpoints answer 404 with Portico's
// reason: InspectorOff, so that a page says that rather than "not found".
// The live connections answer all the same.
export class InspectorOff extends Error {}

let offReason; // undefined: not asked yet; '' while recording

async function inspectorOff() {
  if (offReason === undefined) {
    try {
      await request('GET', '/_portico/inspect/traffic', { query: { limit: '1' } });
      offReason = '';
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      offReason = e.message;
    }
  }
  return offReason;
}

export async function inspect(method, path, opts) {
  try {
    return await request(method, '/_portico/inspect/' + path, opts);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      const why = await inspectorOff();
      if (why) throw new InspectorOff(why);
    }
    throw e;
  }
}

export const traffic = (filters) => inspect('GET', 'traffic', { query: filters });
export const trafficEntry = (id) => inspect('GET', 'traffic/' + enc(id));
export const replay = (id, body) => inspect('POST', 'traffic/' + enc(id) + '/replay', { body });
export const connections = (filters) => inspect('GET', 'connections', { query: filters });

export function streamURL(filters) {
  const u = new URL('/_portico/inspect/stream', location.origin);
  for (const [k, v] of Object.entries(filters || {})) if (v) u.searchParams.set(k, v);
  return u.href;
}

// The @connections management API on Portico's own address: as the
// connection's account, which Portico checks for a signed call.
export function postToConnection(c, message) {
  return request('POST', '/@connections/' + enc(c.connectionId), {
    body: message, headers: c.account ? { Authorization: authorization(c.account, c.region || scope.region) } : {},
  });
}

export function deleteConnection(c) {
  return request('DELETE', '/@connections/' + enc(c.connectionId), {
    headers: c.account ? { Authorization: authorization(c.account, c.region || scope.region) } : {},
  });
}

// logTail is GET /_portico/logs/{group}: the latest lines, oldest first.
export const logTail = (group, limit = 200) => request('GET', '/_portico/logs/' + enc(group), { query: { limit: String(limit) } });

// logGroup is the log group an accessLogSettings.destinationArn names.
export function logGroup(arn) {
  const i = (arn || '').indexOf(':log-group:');
  if (i < 0) return '';
  return arn.slice(i + ':log-group:'.length).replace(/:\*$/, '');
}
