// Log tails: GET /_portico/logs/{log group}, the stages' access logs and
// the functions' logs (/aws/lambda/NAME), followed every two seconds.
import * as api from '../api.js';
import { h, section, link } from '../dom.js';

const enc = encodeURIComponent;

// knownGroups are the log groups the stages of this scope write to.
async function knownGroups() {
  const apis = await api.apis();
  const stages = await Promise.all(apis.map((a) => api.stages(a.apiId).then((ss) => ss.map((s) => ({ a, s })))));
  const out = [];
  for (const { a, s } of stages.flat()) {
    const g = api.logGroup(s.accessLogSettings?.destinationArn);
    if (g) out.push({ group: g, api: a, stage: s.stageName });
  }
  return out.sort((x, y) => x.group.localeCompare(y.group));
}

export async function page(ctx) {
  const group = ctx.query.get('group') || '';
  const [groups, tail] = await Promise.all([knownGroups(), group ? api.logTail(group).catch((e) => ({ error: e.message })) : null]);
  return {
    title: 'Log tails',
    render: () => {
      const out = h('pre', { class: 'log', id: 'log-lines' });
      const state = h('span', { class: 'muted' });
      const follow = h('input', { type: 'checkbox', id: 'follow', checked: true });
      const show = (t) => {
        if (t?.error) {
          out.textContent = '';
          state.textContent = t.error;
          return;
        }
        const lines = t?.lines || [];
        const atBottom = out.scrollHeight - out.scrollTop - out.clientHeight < 40;
        out.textContent = lines.join('\n');
        state.textContent = `${lines.length} line${lines.length === 1 ? '' : 's'} · ${new Date().toLocaleTimeString()}`;
        if (atBottom) out.scrollTop = out.scrollHeight;
      };
      if (group) {
        show(tail);
        const timer = setInterval(async () => {
          if (!follow.checked) return;
          try { show(await api.logTail(group)); } catch (e) { show({ error: e.message }); }
        }, 2000);
        ctx.onCleanup(() => clearInterval(timer));
      }
      const input = h('input', { id: 'log-group', value: group, size: '40', list: 'log-groups', placeholder: '/aws/lambda/my-function' });
      const open = () => ctx.go('/logs', { group: input.value.trim() });
      input.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      return h('div', { class: 'page' },
        h('h1', null, 'Log tails'),
        section(null,
          h('div', { class: 'filters' },
            h('label', null, 'Log group ', input),
            h('datalist', { id: 'log-groups' }, groups.map((g) => h('option', { value: g.group }))),
            h('button', { type: 'button', class: 'primary', id: 'log-open', onclick: open }, 'Tail'),
            group ? h('label', { class: 'check' }, follow, ' Follow') : null, state),
          group ? out : h('p', { class: 'muted' }, 'Pick a log group: a stage\'s access log (its destinationArn), or a function\'s, /aws/lambda/NAME.')),
        groups.length ? section('Access logs of this account and region',
          h('ul', { class: 'plain' }, groups.map((g) => h('li', null, link(`#/logs?group=${enc(g.group)}`, g.group), ' — ',
            link(`#/apis/${enc(g.api.apiId)}/stages/${enc(g.stage)}`, `${g.api.name} / ${g.stage}`))))) : null);
    },
  };
}
