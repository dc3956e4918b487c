// Commands to copy: the AWS CLI call that reads each resource, and a curl
// (or wscat) line for each route.
import { scope } from './api.js';

// shq quotes a word for a POSIX shell when it needs it.
export function shq(v) {
  v = String(v);
  return /^[A-Za-z0-9_.,/:=@%+-]+$/.test(v) ? v : `'${v.replaceAll("'", `'\\''`)}'`;
}

// aws builds `aws apigatewayv2 OP --arg value ... --region R --endpoint-url URL`.
// A non-default account is selected the way Portico reads it: the access
// key id.
export function aws(op, args = {}) {
  const parts = [];
  if (scope.account !== scope.defaults.account) {
    parts.push(`AWS_ACCESS_KEY_ID=${scope.account}`, 'AWS_SECRET_ACCESS_KEY=test');
  }
  parts.push('aws', 'apigatewayv2', op);
  for (const [k, v] of Object.entries(args)) {
    if (v != null && v !== '') parts.push('--' + k, shq(v));
  }
  parts.push('--region', shq(scope.region), '--endpoint-url', location.origin);
  return parts.join(' ');
}

// stageURL is the path form of a stage's URL on this Portico, which needs
// no DNS: $default serves at the API's root.
export function stageURL(apiId, stage, protocol = 'HTTP') {
  let base = location.origin + '/_aws/execute-api/' + encodeURIComponent(apiId);
  if (protocol === 'WEBSOCKET') base = base.replace(/^http/, 'ws');
  return stage && stage !== '$default' ? base + '/' + encodeURIComponent(stage) : base;
}

// splitRouteKey reads "GET /items/{id}" (or "$default").
export function splitRouteKey(key) {
  const i = key.indexOf(' ');
  if (i < 0) return { method: 'ANY', path: key === '$default' ? '/' : key };
  return { method: key.slice(0, i), path: key.slice(i + 1) };
}

// curl is the line that invokes an HTTP API's route on stage.
export function curl(api, route, stage) {
  const { method, path } = splitRouteKey(route.routeKey);
  const url = stageURL(api.apiId, stage) + (path === '/' && stage && stage !== '$default' ? '' : path);
  const parts = ['curl', '-i'];
  if (/[{}[\]]/.test(url)) parts.push('-g'); // {id} is a route variable, not a curl glob
  if (method === 'HEAD') parts.push('-I');
  else if (method !== 'GET' && method !== 'ANY') parts.push('-X', method);
  switch (route.authorizationType) {
    case 'JWT':
      parts.push('-H', shq('Authorization: Bearer $TOKEN'));
      break;
    case 'AWS_IAM':
      parts.push('--aws-sigv4', shq(`aws:amz:${scope.region}:execute-api`), '--user', '"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"');
      break;
    case 'CUSTOM':
      parts.push('-H', shq('Authorization: $TOKEN'));
      break;
  }
  if (['POST', 'PUT', 'PATCH'].includes(method)) parts.push('-H', shq('Content-Type: application/json'), '-d', shq('{}'));
  parts.push(shq(url));
  return parts.join(' ');
}

// wsMessage is a message that the API's route selection expression sends
// to route (null for $connect, $disconnect and $default).
export function wsMessage(api, route) {
  if (route.routeKey.startsWith('$')) return null;
  const m = /^\$request\.body\.([A-Za-z0-9_]+)$/.exec(api.routeSelectionExpression || '');
  return m ? JSON.stringify({ [m[1]]: route.routeKey }) : null;
}

export function wscat(api, stage) {
  return 'wscat -c ' + shq(stageURL(api.apiId, stage, 'WEBSOCKET'));
}
