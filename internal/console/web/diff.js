// A line diff (Myers' O(ND) algorithm) and its unified rendering, for the
// diff of two deployments' snapshots.

// definition prints a deployment's snapshot as text made for a line
// diff: one block per resource (routes by route key, the others by name
// or id), headed by what it is, one member per line with sorted keys, so
// that two snapshots differ only where their contents do and an added
// route is one added block.
export function definition(snap) {
  const out = [];
  const value = (v) => (typeof v === 'string' && !v.includes('\n') ? v : JSON.stringify(sortKeys(v)));
  const members = (obj, indent, skip) => {
    for (const k of Object.keys(obj).sort()) if (!skip.includes(k)) out.push(indent + k + ': ' + value(obj[k]));
  };
  const by = (items, ...keys) => [...(items || [])].sort((a, b) => {
    for (const k of keys) { const c = String(a[k] ?? '').localeCompare(String(b[k] ?? '')); if (c) return c; }
    return 0;
  });
  const a = snap.api || {};
  out.push(`api ${a.name} (${a.apiId})`);
  members(a, '  ', ['name', 'apiId']);
  for (const r of by(snap.routes, 'routeKey')) {
    out.push('', `route ${r.routeKey} (${r.routeId})`);
    members(r, '  ', ['routeKey', 'routeId', 'routeResponses']);
    for (const rr of by(r.routeResponses, 'routeResponseKey')) {
      out.push(`  route response ${rr.routeResponseKey} (${rr.routeResponseId})`);
      members(rr, '    ', ['routeResponseKey', 'routeResponseId']);
    }
  }
  for (const i of by(snap.integrations, 'integrationId')) {
    out.push('', `integration ${i.integrationId}`);
    members(i, '  ', ['integrationId', 'integrationResponses']);
    for (const ir of by(i.integrationResponses, 'integrationResponseKey')) {
      out.push(`  integration response ${ir.integrationResponseKey} (${ir.integrationResponseId})`);
      members(ir, '    ', ['integrationResponseKey', 'integrationResponseId']);
    }
  }
  for (const m of by(snap.models, 'name')) {
    out.push('', `model ${m.name} (${m.modelId})`);
    members(m, '  ', ['name', 'modelId']);
  }
  for (const au of by(snap.authorizers, 'name')) {
    out.push('', `authorizer ${au.name} (${au.authorizerId})`);
    members(au, '  ', ['name', 'authorizerId']);
  }
  return out;
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

// diffLines returns the edit script from a to b: [{op: ' '|'-'|'+', text}].
export function diffLines(a, b) {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length, endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) { endA--; endB--; }
  const mid = myers(a.slice(start, endA), b.slice(start, endB));
  const out = [];
  for (let i = 0; i < start; i++) out.push({ op: ' ', text: a[i] });
  out.push(...mid);
  for (let i = endA; i < a.length; i++) out.push({ op: ' ', text: a[i] });
  return out;
}

// maxEdits bounds the work (and the trace, about edits² numbers): two
// documents further apart are shown as all of one replaced by the other.
const maxEdits = 4000;

function myers(a, b) {
  const n = a.length, m = b.length, max = n + m;
  const replaced = () => [...a.map((text) => ({ op: '-', text })), ...b.map((text) => ({ op: '+', text }))];
  if (!n || !m) return replaced();
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = []; // trace[d]: v[-d..d] as it was before step d
  for (let d = 0; d <= Math.min(max, maxEdits); d++) {
    trace.push(v.slice(off - d, off + d + 1));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1] < v[off + k + 1]) ? v[off + k + 1] : v[off + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) { x++; y++; }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return replaced();
}

function backtrack(trace, a, b, d) {
  const out = [];
  let x = a.length, y = b.length;
  for (; d > 0; d--) {
    const t = trace[d], at = (k) => t[k + d];
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK), prevY = prevX - prevK;
    while (x > prevX && y > prevY) { out.push({ op: ' ', text: a[--x] }); y--; }
    if (x === prevX) out.push({ op: '+', text: b[--y] });
    else out.push({ op: '-', text: a[--x] });
  }
  while (x > 0 && y > 0) { out.push({ op: ' ', text: a[--x] }); y--; }
  return out.reverse();
}

// hunks groups an edit script into unified-diff hunks with context lines.
export function hunks(script, context = 3) {
  const out = [];
  let aLine = 1, bLine = 1, cur = null, lastChange = -Infinity;
  const changes = [];
  script.forEach((e, i) => { if (e.op !== ' ') changes.push(i); });
  if (!changes.length) return out;
  let ci = 0;
  for (let i = 0; i < script.length; i++) {
    const e = script[i];
    while (ci < changes.length && changes[ci] < i - context) ci++;
    const near = ci < changes.length && changes[ci] <= i + context;
    if (near) {
      if (!cur) { cur = { aStart: aLine, bStart: bLine, aLen: 0, bLen: 0, lines: [] }; out.push(cur); }
      cur.lines.push(e);
      if (e.op !== '+') cur.aLen++;
      if (e.op !== '-') cur.bLen++;
      if (e.op !== ' ') lastChange = i;
    } else if (cur && i - lastChange > context) {
      cur = null;
    }
    if (e.op !== '+') aLine++;
    if (e.op !== '-') bLine++;
  }
  return out;
}
