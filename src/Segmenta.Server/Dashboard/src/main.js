// The Segmenta dashboard: a hash-routed single page over the REST API (or a report's saved answers).
import { ApiError, report, session } from './api.js';
import { disposeCharts, mountCharts } from './charts.js';
import { el, notice } from './ui.js';
import { views } from './views.js';

const routes = [
  { path: 'overview', label: 'Overview', view: views.overview },
  { path: 'builder', label: 'Segment builder', view: views.builder, live: true },
  { path: 'segments', label: 'Segments', view: views.segments },
  { path: 'rfm', label: 'RFM', view: views.rfm },
  { path: 'clusters', label: 'Clusters', view: views.clusters },
  { path: 'clv', label: 'Lifetime value', view: views.clv },
  { path: 'campaigns', label: 'Campaigns', view: views.campaigns },
  { path: 'migration', label: 'Migration', view: views.migration },
];
const detail = { segment: views.segment, campaign: views.campaign };

const main = el('main', { id: 'main', tabindex: -1 });
const nav = el('nav', { 'aria-label': 'Views' }, el('ul', {}, routes
  .filter((r) => !(report && r.live))
  .map((r) => el('li', {}, el('a', { href: `#/${r.path}`, 'data-route': r.path }, r.label)))));
const signOut = el('button', { type: 'button', class: 'link', onclick: () => { session.signOut(); render(true); } }, 'Sign out');

document.body.append(
  el('a', { href: '#main', class: 'skip', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
  el('header', { class: 'top' },
    el('div', { class: 'brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), ' Segmenta',
      report ? el('span', { class: 'badge' }, `report · as of ${report.as_of.slice(0, 10)}`) : null),
    nav,
    report ? null : signOut),
  main);

function signIn(message) {
  const input = el('input', { id: 'api-key', name: 'key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const remember = el('input', { id: 'remember', type: 'checkbox' });
  const form = el('form', {
    class: 'card sign-in',
    onsubmit: (e) => {
      e.preventDefault();
      session.signIn(input.value.trim(), remember.checked);
      render();
    },
  },
  el('h1', {}, 'Sign in'),
  el('p', {}, 'Paste an API key with the read scope (admin to save segments). Create one with ', el('code', {}, 'segmenta keys create NAME --scopes read,admin'), '.'),
  message ? notice(message, 'error') : null,
  el('label', { for: 'api-key' }, 'API key'), input,
  el('label', { class: 'check' }, remember, ' Remember on this device'),
  el('button', { type: 'submit' }, 'Sign in'));
  main.replaceChildren(form);
  input.focus();
}

let generation = 0;

async function render(navigated = false) {
  const mine = ++generation;
  disposeCharts();
  signOut.hidden = !session.key;
  if (!report && !session.key) {
    signIn();
    return;
  }

  const [name, ...rest] = (location.hash.replace(/^#\/?/, '') || 'overview').split('/');
  const arg = rest.map(decodeURIComponent).join('/');
  const route = routes.find((r) => r.path === name);
  const view = route?.view ?? detail[name];
  for (const link of nav.querySelectorAll('a')) {
    const current = link.dataset.route === name || (name === 'segment' && link.dataset.route === 'segments') || (name === 'campaign' && link.dataset.route === 'campaigns');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }

  main.replaceChildren(el('p', { class: 'loading', role: 'status' }, 'Loading…'));
  let content;
  try {
    content = view ? await view(arg) : notice(`There is no view called “${name}”.`, 'error');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      session.signOut();
      signIn('That key was not accepted (unknown or revoked).');
      return;
    }
    content = notice(error.message, 'error');
  }
  if (mine !== generation) return;
  main.replaceChildren(content);
  mountCharts(main);
  document.title = `${main.querySelector('h1')?.textContent ?? 'Segmenta'} · Segmenta`;
  // After a navigation, focus moves to the new content (screen readers announce it); a fresh load keeps the
  // natural order, so the first Tab reaches the skip link.
  if (navigated) main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', () => render(true));
render();
