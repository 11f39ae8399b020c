// Small DOM and formatting helpers shared by the views.

/** Creates an element: el('p', {class: 'x'}, 'text', child, …). Attributes starting with "on" are listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'html') node.innerHTML = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const fmt = {
  int: (v) => (v === null || v === undefined ? '–' : integer.format(v)),
  num: (v, digits = 2) => (v === null || v === undefined ? '–' : new Intl.NumberFormat('en-US', { maximumFractionDigits: digits }).format(v)),
  whole: (v) => (v === null || v === undefined ? '–' : integer.format(Math.round(v))),
  money: (v) => (v === null || v === undefined ? '–' : decimal.format(v)),
  pct: (v, digits = 1) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(digits)}%`),
  pp: (v, digits = 2) => (v === null || v === undefined ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(digits)} pp`),
  day: (iso) => (iso ? iso.slice(0, 10) : '–'),
  p: (v) => (v === null || v === undefined ? '–' : v < 0.001 ? '< 0.001' : v.toFixed(3)),
};

/** A table from column definitions [{label, value: row => text|node, numeric}] and rows. */
export function table(columns, rows, { caption, className } = {}) {
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption ?? 'table' },
    el('table', { class: className },
      caption ? el('caption', {}, caption) : null,
      el('thead', {}, el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.numeric ? 'num' : null }, c.label)))),
      el('tbody', {}, rows.map((row) => el('tr', {}, columns.map((c, i) => {
        const value = c.value(row);
        return i === 0 && c.header !== false
          ? el('th', { scope: 'row', class: c.numeric ? 'num' : null }, value)
          : el('td', { class: c.numeric ? 'num' : null }, value);
      }))))));
}

/** A headline number. */
export function stat(label, value, note) {
  return el('div', { class: 'stat' }, el('div', { class: 'stat-value' }, value), el('div', { class: 'stat-label' }, label), note ? el('div', { class: 'stat-note' }, note) : null);
}

/** A section card with a heading. */
export function card(title, ...children) {
  return el('section', { class: 'card', 'aria-label': title }, el('h2', {}, title), ...children);
}

/** A message in place of a view's content (errors, empty states). */
export function notice(text, kind = 'info') {
  return el('p', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** A cell background from light to strong for a value in [0, 1]. */
export function heat(share) {
  const t = Math.max(0, Math.min(1, share));
  const light = 97 - (t * 55);
  return `background: hsl(212 70% ${light}%); color: ${light < 62 ? '#fff' : '#102a43'}`;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
