// Plain DOM building: h(tag, props, ...children). No framework, no
// innerHTML: every value reaches the page as text, so nothing an API
// holds (a route key, a template, a traffic body) can become markup.

export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'value') value = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  if (value !== undefined) el.value = value; // after a select's options
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

// table builds a table of rows; columns are {title, cell(row), class,
// width}. With widths it is a grid table (style.css, table.grid): each
// row lays itself out alone, and the browser skips the rows off screen
// (content-visibility), so a table of 300 routes costs what its first
// screenful does.
export function table(columns, rows, { empty = 'None.', rowProps } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  const body = document.createElement('tbody');
  for (const row of rows) {
    const tr = rowProps ? h('tr', rowProps(row)) : document.createElement('tr');
    for (const c of columns) {
      const td = document.createElement('td');
      if (c.class) td.className = c.class;
      const v = c.cell(row);
      if (v != null && v !== false) {
        if (Array.isArray(v)) append(td, v);
        else td.append(v instanceof Node ? v : String(v));
      }
      tr.append(td);
    }
    body.append(tr);
  }
  const grid = columns.some((c) => c.width);
  const t = h('table', { class: grid ? 'grid' : null },
    h('thead', null, h('tr', null, columns.map((c) => h('th', { class: c.class }, c.title)))), body);
  // CSSOM, not a style attribute: the policy refuses those.
  if (grid) t.style.setProperty('--columns', columns.map((c) => c.width || 'minmax(0, 1fr)').join(' '));
  return h('div', { class: 'table-wrap' }, t);
}

// kv is a definition list of the members that are set.
export function kv(pairs, variant = '') {
  const dl = h('dl', { class: 'kv ' + variant });
  for (const [k, v] of pairs) {
    if (v == null || v === '' || (Array.isArray(v) && !v.length)) continue;
    dl.append(h('div', null, h('dt', null, k), h('dd', null, v instanceof Node ? v : typeof v === 'object' ? json(v) : String(v))));
  }
  return dl;
}

// templates shows a map of content types (or keys) to template texts,
// each text as it is.
export function templates(m) {
  if (!m || !Object.keys(m).length) return null;
  return h('div', { class: 'templates' }, Object.entries(m).map(([k, v]) =>
    h('div', null, h('code', { class: 'template-key' }, k), h('pre', { class: 'json' }, v))));
}

export function json(v) {
  return h('pre', { class: 'json' }, typeof v === 'string' ? v : JSON.stringify(v, null, 2));
}

export function code(text) {
  return h('code', null, text);
}

export function badge(text, kind = '') {
  return h('span', { class: 'badge ' + kind }, text);
}

export function section(title, ...content) {
  return h('section', { class: 'card' }, title ? h('h2', null, title) : null, ...content);
}

export function link(href, text) {
  return h('a', { href }, text);
}

// copyLine is a command shown in full with a button that copies it.
export function copyLine(text, label = 'Copy') {
  return h('div', { class: 'cmd' }, h('code', null, text), copyButton(text, label));
}

// copyButton copies text when clicked (one listener for the page, below:
// a table of 300 routes has 600 of these buttons).
export function copyButton(text, label = 'Copy', title) {
  return h('button', { type: 'button', class: 'copy', title: title || text, 'data-copy': text }, label);
}

document.addEventListener('click', (e) => {
  const b = e.target instanceof Element && e.target.closest('button[data-copy]');
  if (b) copy(b.dataset.copy, b);
});

export async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Not a secure context (Portico reached by a LAN address): the
    // selection route still works.
    const ta = h('textarea', { class: 'offscreen' }, text);
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
  if (button) {
    const was = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => { button.textContent = was; }, 1200);
  }
}

export function toast(message, kind = '') {
  const el = document.getElementById('toast');
  el.className = 'show ' + kind;
  el.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = ''; }, 4000);
}

export function fmtTime(v) {
  if (!v) return '';
  const d = new Date(v);
  if (isNaN(d)) return String(v);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// fmtClock is a time of the traffic log: to the millisecond, with the
// date only when it is not today.
export function fmtClock(v) {
  if (!v) return '';
  const d = new Date(v);
  if (isNaN(d)) return String(v);
  const t = d.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(d.getMilliseconds()).padStart(3, '0');
  return d.toDateString() === new Date().toDateString() ? t : d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) + ' ' + t;
}

// dialog opens a modal <dialog> with body and buttons; it resolves to the
// value of the button pressed, or null when cancelled (Escape).
export function dialog({ title, body, buttons, className = '' }) {
  return new Promise((resolve) => {
    const d = h('dialog', { class: 'modal ' + className, 'aria-labelledby': 'dialog-title' });
    const done = (v) => { d.close(); d.remove(); resolve(v); };
    d.append(
      h('h2', { id: 'dialog-title' }, title),
      h('div', { class: 'modal-body' }, body),
      h('div', { class: 'modal-buttons' }, buttons.map((b) =>
        h('button', {
          type: 'button', class: b.class || '', 'data-action': typeof b.value === 'string' ? b.value : b.label.toLowerCase(),
          onclick: () => done(b.value === undefined ? null : (typeof b.value === 'function' ? b.value() : b.value)),
        }, b.label))),
    );
    d.addEventListener('cancel', (e) => { e.preventDefault(); done(null); });
    document.body.append(d);
    d.showModal();
    const focus = d.querySelector('[autofocus]') || d.querySelector('button.danger, button.primary');
    focus?.focus();
  });
}

// confirmDestroy asks before a destructive action.
export async function confirmDestroy(what, detail, action = 'Delete') {
  const v = await dialog({
    title: action + ' ' + what + '?',
    className: 'confirm',
    body: [h('p', null, detail), h('p', { class: 'muted' }, 'This cannot be undone.')],
    buttons: [{ label: 'Cancel' }, { label: action, value: 'confirm', class: 'danger' }],
  });
  return v === 'confirm';
}
