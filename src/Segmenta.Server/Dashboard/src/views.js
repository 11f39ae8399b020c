// The dashboard's views: each is an async function of its route argument returning the content of <main>.
import { api, ApiError, download, report } from './api.js';
import { chart, disposeCharts, mountCharts, palette } from './charts.js';
import { card, debounce, el, fmt, heat, notice, stat, table } from './ui.js';
import { completions, highlight } from './editor.js';

const q = encodeURIComponent;

/** The answer, or null when the API says there is nothing yet (404): views show what exists. */
async function optional(path) {
  try {
    return await api(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

const segmentLink = (name) => el('a', { href: `#/segment/${q(name)}` }, name);
const page = (title, lead, ...children) => el('div', { class: 'view' }, el('h1', {}, title), lead ? el('p', { class: 'lead' }, lead) : null, ...children);
const grid = (...children) => el('div', { class: 'grid' }, ...children);

/** Paths the views read with arguments; `segmenta report` (Reporting/HtmlReport.cs) saves the answers to the same paths. */
const paths = {
  segment: (name) => `/api/segments/${q(name)}`,
  preview: (name) => `/api/segments/${q(name)}/preview`,
  history: (name) => `/api/segments/${q(name)}/history`,
  persona: (name) => `/api/personas?segments=${q(name)}`,
  results: (name) => `/api/campaigns/${q(name)}/results`,
  migration: (family, from, to) => `/api/migration?family=${q(family)}&from=${q(from)}&to=${q(to)}`,
};

// ---- overview -------------------------------------------------------------------------------------

/** The schedule, the current snapshot, the last run and its drift alerts; an admin can refresh now. Live only. */
function refreshCard(r) {
  if (!r) return null;
  const outcome = el('span', { class: 'hint', role: 'status' });
  const run = r.last_run;
  const alerts = r.current_report?.alerts ?? [];
  async function now(e) {
    e.target.disabled = true;
    outcome.textContent = 'Refreshing… (every segment, features, RFM, clusters, CLV)';
    try {
      const done = await api('/api/refresh', { method: 'POST' });
      outcome.textContent = `Done: snapshot as of ${fmt.day(done.as_of ?? done.report?.as_of)}. Reload to see it.`;
    } catch (error) {
      outcome.textContent = error.status === 403 ? 'Refreshing needs a key with the admin scope.' : error.message;
    } finally {
      e.target.disabled = false;
    }
  }
  return card('Refresh',
    el('dl', { class: 'facts' },
      el('dt', {}, 'current snapshot'), el('dd', {}, r.current_snapshot ? fmt.day(r.current_snapshot) : 'none yet'),
      el('dt', {}, 'schedule'), el('dd', {}, r.schedule.every ? `every ${r.schedule.every}, next ${r.schedule.next_at ?? '–'}` : 'on demand (server.refresh_every in segmenta.yaml)'),
      el('dt', {}, 'last run'), el('dd', {}, run ? `${run.status} · as of ${fmt.day(run.as_of)} · finished ${run.finished_at.replace('T', ' ').replace('Z', ' UTC')}${run.error ? ` · ${run.error}` : ''}` : 'never'),
      r.schedule.last_error ? [el('dt', {}, 'last error'), el('dd', { class: 'bad' }, r.schedule.last_error)] : null,
      el('dt', {}, 'drift alerts'), el('dd', {}, alerts.length ? el('ul', {}, alerts.map((a) => el('li', {}, a.message))) : 'none in the current snapshot')),
    el('div', { class: 'actions' }, el('button', { type: 'button', onclick: now }, 'Refresh now'), outcome));
}

/** The ranked findings of the current snapshot, each with its evidence and q-value (Benjamini-Hochberg). */
function insightsCard(feed) {
  if (!feed) return null;
  const lead = `${feed.insights.filter((i) => i.q !== null).length} of ${feed.tested} hypotheses tested pass a ${fmt.pct(feed.false_discovery_rate, 0)} false discovery rate (snapshot ${fmt.day(feed.as_of)})`;
  return card('Insights',
    el('p', { class: 'hint' }, lead),
    feed.insights.length
      ? el('ol', { class: 'insights' }, feed.insights.map((i) => el('li', {}, el('strong', {}, i.headline), el('br'), el('span', { class: 'hint' }, `${i.evidence}${i.q === null ? '' : ` · q ${fmt.p(i.q)}`}`))))
      : notice('Nothing stands out in this snapshot at that rate.'),
    feed.not_checked.length ? el('p', { class: 'hint' }, `Not checked: ${feed.not_checked.join('; ')}`) : null);
}

async function overview() {
  const [status, list, history, refresh, insights] = await Promise.all([api('/api/status'), api('/api/segments'), api('/api/history'), report ? null : optional('/api/refresh'), optional('/api/insights')]);
  const segments = list.segments.filter((s) => s.last_materialization);
  const own = segments.filter((s) => !s.generated);
  const sized = (own.length ? own : segments).slice().sort((a, b) => b.last_materialization.size - a.last_materialization.size);

  const trends = history.segments.filter((h) => own.some((s) => s.name === h.segment));
  const instants = [...new Set(trends.flatMap((h) => h.materializations.map((m) => m.as_of)))].sort();
  const trendChart = trends.length && instants.length > 1
    ? chart({
      type: 'line',
      data: {
        labels: instants.map(fmt.day),
        datasets: trends.map((h, i) => ({
          label: h.segment,
          data: instants.map((t) => h.materializations.find((m) => m.as_of === t)?.size ?? null),
          borderColor: palette[i % palette.length],
          backgroundColor: palette[i % palette.length],
          spanGaps: true,
          tension: 0.2,
        })),
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'customers' } } } },
    }, {
      summary: `Segment sizes over ${instants.length} snapshots from ${fmt.day(instants[0])} to ${fmt.day(instants.at(-1))}`,
      data: { columns: [{ label: 'as of', value: (t) => fmt.day(t) }, ...trends.map((h) => ({ label: h.segment, numeric: true, value: (t) => fmt.int(h.materializations.find((m) => m.as_of === t)?.size) }))], rows: instants },
      id: 'trend-chart',
    })
    : notice('Trends appear after two refreshes (segmenta refresh, or the scheduled refresh of segmenta serve).');

  return page('Overview', `${status.warehouse} · events ${fmt.day(status.first_event)} to ${fmt.day(status.last_event)}`,
    el('div', { class: 'stats' },
      stat('customers', fmt.int(status.customers)),
      stat('events', fmt.int(status.events)),
      stat('net revenue (purchases less refunds)', fmt.whole(status.net_revenue)),
      stat('segments', fmt.int(list.segments.length), list.errors ? `${list.errors} with errors` : null),
      stat('quarantined rows', fmt.int(status.quarantined))),
    grid(
      card('Segment sizes', sized.length
        ? chart({
          type: 'bar',
          data: { labels: sized.map((s) => s.name), datasets: [{ label: 'customers', data: sized.map((s) => s.last_materialization.size), backgroundColor: palette[0] }] },
          options: { indexAxis: 'y', plugins: { legend: { display: false } } },
        }, {
          summary: `Sizes of ${sized.length} segments at their last refresh; largest ${sized[0].name} with ${fmt.int(sized[0].last_materialization.size)}`,
          data: { columns: [{ label: 'segment', value: (s) => s.name }, { label: 'customers', numeric: true, value: (s) => fmt.int(s.last_materialization.size) }, { label: 'as of', value: (s) => fmt.day(s.last_materialization.as_of) }], rows: sized },
          height: Math.max(220, sized.length * 26),
          id: 'sizes-chart',
        })
        : notice('No segment has been materialized yet: run a refresh.')),
      card('Trends', trendChart)),
    insightsCard(insights),
    refreshCard(refresh),
    card('Events by type', table([
      { label: 'event type', value: (t) => t.event_type },
      { label: 'events', numeric: true, value: (t) => fmt.int(t.count) },
    ], status.event_types)),
    card('All segments', segmentTable(list.segments)));
}

function segmentTable(segments) {
  return table([
    { label: 'segment', value: (s) => segmentLink(s.name) },
    { label: 'title', value: (s) => s.title ?? '' },
    { label: 'customers', numeric: true, value: (s) => fmt.int(s.last_materialization?.size) },
    { label: 'as of', value: (s) => fmt.day(s.last_materialization?.as_of) },
    { label: 'kind', value: (s) => (s.generated ? 'generated' : 'defined') },
  ], segments);
}

// ---- segments -------------------------------------------------------------------------------------

async function segments() {
  const list = await api('/api/segments');
  return page('Segments', 'Every segment of the workspace, with its size at the last refresh.', card('Segments', segmentTable(list.segments)));
}

function personaCard(persona) {
  if (!persona) return notice('No persona: the segment has no members at this instant.');
  const { card: c, report: r } = persona;
  return el('article', { class: 'persona', 'aria-labelledby': 'persona-heading' },
    el('h2', { id: 'persona-heading' }, c.heading),
    el('p', { class: 'persona-sub' }, c.subheading),
    el('dl', {}, c.lines.map((l) => [el('dt', {}, l.label), el('dd', {}, l.text)])),
    r.over_indexing.length
      ? table([
        { label: 'trait', value: (o) => `${o.trait} = ${o.level}` },
        { label: 'share', numeric: true, value: (o) => fmt.pct(o.share) },
        { label: 'base share', numeric: true, value: (o) => fmt.pct(o.base_share) },
        { label: 'lift', numeric: true, value: (o) => `${fmt.num(o.lift)}×` },
      ], r.over_indexing, { caption: 'Over-represented traits' })
      : null,
    r.buys?.length
      ? table([
        { label: r.buys[0].trait, value: (o) => (o.label ? `${o.label} (${o.level})` : o.level) },
        { label: 'members buying', numeric: true, value: (o) => fmt.pct(o.share) },
        { label: 'all customers', numeric: true, value: (o) => fmt.pct(o.base_share) },
        { label: 'lift', numeric: true, value: (o) => `${fmt.num(o.lift)}×` },
      ], r.buys, { caption: 'What they buy more than everyone (significant after Bonferroni)' })
      : null);
}

function stepsChart(preview, id) {
  const steps = preview.steps;
  if (!steps.length) return null;
  return chart({
    type: 'bar',
    data: { labels: steps.map((s) => s.condition), datasets: [{ label: 'customers remaining', data: steps.map((s) => s.remaining), backgroundColor: palette[0] }] },
    options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { y: { ticks: { callback(v) { const t = this.getLabelForValue(v); return t.length > 38 ? `${t.slice(0, 36)}…` : t; } } } } },
  }, {
    summary: `Customers left after each of ${steps.length} conditions: ${steps.map((s) => `${s.condition}: ${fmt.int(s.remaining)}`).join('; ')}`,
    data: { columns: [{ label: 'after condition', value: (s) => s.condition }, { label: 'customers remaining', numeric: true, value: (s) => fmt.int(s.remaining) }], rows: steps },
    height: Math.max(160, steps.length * 34),
    id,
  });
}

function previewStats(p) {
  return el('div', { class: 'stats' },
    stat('customers', el('span', { 'data-testid': 'preview-size' }, fmt.int(p.size)), `of ${fmt.int(p.customers)} (${fmt.pct(p.share_of_customers)})${p.anonymous_members > 0 ? `, ${fmt.int(p.anonymous_members)} anonymous` : ''}`),
    stat('net revenue (members)', fmt.whole(p.net_revenue), `${fmt.pct(p.share_of_net_revenue)} of all customers'`),
    p.lifetime ? stat('predicted value (members)', fmt.whole(p.lifetime.members_value), `${fmt.pct(p.lifetime.share_of_value)} of all customers'`) : null,
    p.lifetime?.warnings?.length ? notice(`The lifetime-value model is qualified: ${p.lifetime.warnings.join(' · ')}`) : null);
}

function sampleTable(p) {
  if (!p.sample.length) return notice('No members to show.');
  const columns = Object.keys(p.sample[0]);
  return table(columns.map((c) => ({ label: c, value: (row) => row[c] ?? '' })), p.sample, { caption: `A sample of ${p.sample.length} members` });
}

async function segment(name) {
  const [definition, preview, personas, history, schema, destinations] = await Promise.all([
    api(paths.segment(name)), api(paths.preview(name)), api(paths.persona(name)), optional(paths.history(name)), report ? null : optional('/api/schema'),
    optional('/api/destinations')]);
  const persona = personas.personas[0];
  const sizes = history?.materializations ?? [];
  // An export names the channel it is for: only members who consented to it leave (docs/identity.md), or, chosen
  // explicitly, every member without the check. The answer's headers say which, and how many stayed behind.
  const channel = el('select', { id: 'export-channel', 'aria-label': 'Export for channel', disabled: !!report },
    [...(schema?.consent_channels ?? []).map((c) => el('option', { value: c }, `for ${c} (consenting only)`)), el('option', { value: '' }, 'everyone (no consent check)')]);
  const exportButton = (format) => el('button', {
    type: 'button',
    disabled: !!report,
    onclick: (e) => {
      const consent = channel.value ? `channel=${q(channel.value)}` : 'ignore_consent=true';
      const actions = e.target.closest('.actions');
      actions.querySelectorAll('.notice').forEach((n) => n.remove());
      download(`/api/segments/${q(name)}/export?format=${format}&${consent}`, `${name}.${format}`)
        .then((headers) => actions.append(notice(headers.get('Segmenta-Consent-Checked') === 'true'
          ? `Exported the members who consented to ${channel.value}; ${fmt.int(Number(headers.get('Segmenta-Consent-Left-Out')))} left out without consent.`
          : 'Exported every member: consent was not checked.')))
        .catch((error) => actions.append(notice(error.message, 'error')));
    },
  }, `Export ${format.toUpperCase()}`);
  return page(definition.title ?? name, `segment ${name} · as of ${fmt.day(preview.as_of)} · ${definition.file}:${definition.line}`,
    previewStats(preview),
    grid(
      card('Persona', personaCard(persona)),
      card('How the conditions narrow it', stepsChart(preview, 'segment-steps') ?? notice('No conditions.'))),
    sizes.length > 1
      ? card('Size over time', chart({
        type: 'line',
        data: { labels: sizes.map((m) => fmt.day(m.as_of)), datasets: [{ label: 'customers', data: sizes.map((m) => m.size), borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
      }, {
        summary: `${name} from ${fmt.int(sizes[0].size)} to ${fmt.int(sizes.at(-1).size)} customers over ${sizes.length} snapshots`,
        data: { columns: [{ label: 'as of', value: (m) => fmt.day(m.as_of) }, { label: 'customers', numeric: true, value: (m) => fmt.int(m.size) }, { label: 'entered', numeric: true, value: (m) => fmt.int(m.entered) }, { label: 'exited', numeric: true, value: (m) => fmt.int(m.exited) }], rows: sizes },
      }))
      : null,
    card('Members', sampleTable(preview),
      el('div', { class: 'actions' }, channel, ['csv', 'json', 'parquet'].map(exportButton),
        report ? el('span', { class: 'hint' }, 'Exports need the live dashboard (segmenta serve) or segmenta segment export.') : null)),
    destinationsCard(name, destinations),
    card('Definition', el('pre', { class: 'code' }, definition.definition)));
}

// Where the segment is sent (docs/activation.md): each destination that syncs it, with its last sync.
function destinationsCard(name, destinations) {
  if (!destinations) return null;
  const rows = destinations.destinations.flatMap((d) => d.segments.filter((s) => s.segment === name).map((s) => ({ d, sync: s.last_sync })));
  if (!rows.length) return card('Destinations', notice(`Not sent anywhere yet: add a destination that lists ${name} in destinations/NAME.yaml (docs/activation.md).`));
  const sent = table([
    { label: 'destination', value: (r) => `${r.d.name} (${r.d.type})` },
    { label: 'consent', value: (r) => r.d.consent_channel ?? 'not checked' },
    { label: 'last sync', value: (r) => (r.sync ? `${r.sync.finished_at ? `${fmt.day(r.sync.finished_at)} · ` : ''}membership as of ${fmt.day(r.sync.as_of)}` : 'never') },
    { label: 'status', value: (r) => r.sync?.status ?? '' },
    { label: 'audience', numeric: true, value: (r) => (r.sync ? fmt.int(r.sync.audience) : '') },
    { label: 'entered', numeric: true, value: (r) => (r.sync ? fmt.int(r.sync.entered) : '') },
    { label: 'exited', numeric: true, value: (r) => (r.sync ? fmt.int(r.sync.exited) : '') },
    { label: 'outbox', value: (r) => (r.d.pending_batches || r.d.dead_letters ? `${r.d.pending_batches} waiting, ${r.d.dead_letters} dead letters` : '') },
  ], rows, { caption: `Where ${name} is sent, and each destination's last sync` });
  // The sync log of each destination for this segment, on demand (the live dashboard; the report has no logs).
  const log = el('div', { id: 'sync-log', 'aria-live': 'polite' });
  const buttons = el('div', { class: 'actions' }, rows.map((r) => el('button', {
    type: 'button',
    disabled: !!report,
    onclick: async () => {
      try {
        const answer = await api(`/api/destinations/${q(r.d.name)}/log?limit=50`);
        const syncs = answer.syncs.filter((x) => x.segment === name);
        log.replaceChildren(table([
          { label: 'sync', value: (x) => `#${x.sync_id}` },
          { label: 'membership as of', value: (x) => fmt.day(x.as_of) },
          { label: 'kind', value: (x) => x.kind },
          { label: 'status', value: (x) => x.status },
          { label: 'entered', numeric: true, value: (x) => fmt.int(x.entered) },
          { label: 'exited', numeric: true, value: (x) => fmt.int(x.exited) },
          { label: 'audience', numeric: true, value: (x) => fmt.int(x.audience) },
          { label: 'left out without consent', numeric: true, value: (x) => fmt.int(x.left_out_without_consent) },
        ], syncs, { caption: `Sync log of ${r.d.name} for ${name}, newest first` }));
      } catch (error) {
        log.replaceChildren(notice(error.message, 'error'));
      }
    },
  }, `Sync log: ${r.d.name}`)));
  return card('Destinations', sent, buttons, log);
}

// ---- builder --------------------------------------------------------------------------------------

const template = `segment my_segment "Recent big spenders"
where sum(purchase.revenue, last 365 days) >= 200
  and count(purchase, last 90 days) >= 1
`;

async function builder() {
  const saved = sessionStorage.getItem('segmenta.draft');
  const editor = el('textarea', {
    id: 'segment-text', class: 'editor-input', spellcheck: 'false', autocapitalize: 'off', rows: 10, 'aria-describedby': 'diagnostics',
    'aria-label': 'Segment definition', role: 'combobox', 'aria-autocomplete': 'list', 'aria-controls': 'completions', 'aria-expanded': 'false' });
  editor.value = saved ?? template;
  const mirror = el('pre', { class: 'editor-mirror', 'aria-hidden': 'true' });
  const list = el('ul', { id: 'completions', role: 'listbox', class: 'completions', hidden: true, 'aria-label': 'Completions' });
  let schema = null;
  let shown = [];
  let diagnosticsShown = [];
  let offered = null;
  let chosen = 0;
  const diagnostics = el('div', { id: 'diagnostics', 'aria-live': 'polite' });
  const result = el('div', { id: 'preview', 'aria-live': 'polite' });
  const name = el('input', { id: 'segment-name', type: 'text', value: 'my_segment', pattern: '[a-z][a-z0-9_]*', 'aria-describedby': 'name-help' });
  const saveStatus = el('span', { class: 'hint', role: 'status' });
  let controller;

  const sync = () => { mirror.scrollTop = editor.scrollTop; mirror.scrollLeft = editor.scrollLeft; };
  editor.addEventListener('scroll', sync);

  function jump(d) {
    const lines = editor.value.split('\n');
    const offset = lines.slice(0, d.line - 1).reduce((n, l) => n + l.length + 1, 0) + d.column - 1;
    editor.focus();
    editor.setSelectionRange(offset, offset + Math.max(1, d.length));
  }

  async function update() {
    const text = editor.value;
    sessionStorage.setItem('segmenta.draft', text);
    const defined = /segment\s+([a-z][a-z0-9_]*)/.exec(text);
    if (defined && document.activeElement !== name) name.value = defined[1];
    controller?.abort();
    controller = new AbortController();
    let answer;
    try {
      answer = await api('/api/segments/preview', { method: 'POST', body: { text }, signal: controller.signal });
    } catch (error) {
      if (error.name === 'AbortError') return;
      result.replaceChildren(notice(error.message, 'error'));
      return;
    }
    const found = answer.check.diagnostics;
    diagnosticsShown = found;
    mirror.innerHTML = highlight(text, found, schema);
    editor.setAttribute('aria-invalid', found.length ? 'true' : 'false');
    diagnostics.replaceChildren(found.length
      ? el('ul', { class: 'diagnostics' }, found.map((d) => el('li', {},
        el('button', { type: 'button', class: 'link', onclick: () => jump(d) }, `line ${d.line}, column ${d.column}`),
        ` ${d.code}: ${d.message}`)))
      : el('p', { class: 'ok' }, `✓ Compiles${answer.check.errors_elsewhere ? ` (other files have ${answer.check.errors_elsewhere} errors)` : ''}`));
    disposeCharts();
    if (!answer.ok) {
      result.replaceChildren(notice(found.length ? 'Fix the errors to see the preview.' : 'The text defines no segment yet.'));
      return;
    }
    const p = answer.preview;
    result.replaceChildren(
      el('h2', {}, `Preview of ${p.name}`, el('span', { class: 'hint' }, ` as of ${fmt.day(p.as_of)}, ${fmt.num(p.seconds, 3)} s`)),
      previewStats(p),
      stepsChart(p, 'builder-steps'),
      sampleTable(p));
    mountCharts(result);
  }

  function close() {
    offered = null;
    list.hidden = true;
    editor.setAttribute('aria-expanded', 'false');
    editor.removeAttribute('aria-activedescendant');
  }

  function choose(index) {
    chosen = (index + shown.length) % shown.length;
    [...list.children].forEach((item, i) => item.setAttribute('aria-selected', i === chosen ? 'true' : 'false'));
    editor.setAttribute('aria-activedescendant', `completion-${chosen}`);
  }

  function accept(index) {
    const item = shown[index];
    editor.setRangeText(item, offered.from, offered.to, 'end');
    close();
    editor.focus();
    editor.dispatchEvent(new Event('input'));
  }

  function offer() {
    offered = completions(editor.value, editor.selectionStart, schema);
    if (!offered || editor.selectionStart !== editor.selectionEnd) { close(); return; }
    shown = offered.items;
    list.replaceChildren(...shown.map((item, i) => el('li', {
      id: `completion-${i}`, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); accept(i); } }, item)));
    list.hidden = false;
    editor.setAttribute('aria-expanded', 'true');
    choose(0);
  }

  const changed = debounce(update, 250);
  editor.addEventListener('input', () => { mirror.innerHTML = highlight(editor.value, [], schema); sync(); changed(); offer(); });
  editor.addEventListener('blur', () => setTimeout(close, 100));
  editor.addEventListener('keydown', (e) => {
    if (offered && !list.hidden && ['ArrowDown', 'ArrowUp', 'Enter', 'Tab', 'Escape'].includes(e.key)) {
      e.preventDefault();
      if (e.key === 'ArrowDown') choose(chosen + 1);
      else if (e.key === 'ArrowUp') choose(chosen - 1);
      else if (e.key === 'Escape') close();
      else accept(chosen);
      return;
    }
    if (e.key === ' ' && e.ctrlKey) {
      e.preventDefault();
      offer();
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && editor.dataset.tabs === 'on') {
      e.preventDefault();
      editor.setRangeText('  ', editor.selectionStart, editor.selectionEnd, 'end');
      changed();
    } else if (e.key === 'Escape') {
      editor.dataset.tabs = 'off';
    }
  });
  editor.addEventListener('focus', () => { editor.dataset.tabs = 'on'; });

  async function save() {
    saveStatus.textContent = 'Saving…';
    try {
      await api(`/api/segments/${q(name.value)}`, { method: 'PUT', body: { text: editor.value } });
      saveStatus.replaceChildren('Saved as ', el('code', {}, `segments/${name.value}.seg`), ' · ', segmentLink(name.value));
    } catch (error) {
      saveStatus.textContent = error.status === 403 ? 'Saving needs a key with the admin scope.' : error.message;
    }
  }

  mirror.innerHTML = highlight(editor.value, [], null);
  api('/api/schema').then((answer) => {
    schema = answer;
    mirror.innerHTML = highlight(editor.value, diagnosticsShown, schema);
  }).catch(() => { /* colouring without the schema's names, no completion */ });
  queueMicrotask(update);
  return page('Segment builder', 'Write a segment in the segment language; it is checked and previewed as you type, and names complete from the workspace (Ctrl+Space to ask; arrows, Enter or Tab to pick). Tab indents; Escape, then Tab, leaves the editor.',
    el('div', { class: 'builder' },
      el('div', { class: 'editor' }, mirror, editor, list),
      diagnostics,
      el('div', { class: 'actions' },
        el('label', { for: 'segment-name' }, 'Save as '), name,
        el('button', { type: 'button', onclick: save }, 'Save segment'), saveStatus),
      el('p', { id: 'name-help', class: 'hint' }, 'Saved to segments/NAME.seg; the text must define that segment.')),
    card('Live preview', result));
}

// ---- RFM --------------------------------------------------------------------------------------------

async function rfm() {
  const r = await api('/api/rfm');
  const bins = r.bins;
  const cells = new Map(r.grid.map((c) => [`${c.r}:${c.f}`, c]));
  const most = Math.max(1, ...r.grid.map((c) => c.customers));
  const rows = Array.from({ length: bins }, (_, i) => bins - i);
  const heatmap = el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'RFM grid' },
    el('table', { class: 'heatmap', id: 'rfm-grid' },
      el('caption', {}, 'Customers by recency score (rows, 5 = most recent) and frequency score (columns)'),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'R \\ F'), Array.from({ length: bins }, (_, f) => el('th', { scope: 'col' }, `F${f + 1}`)))),
      el('tbody', {}, rows.map((rScore) => el('tr', {}, el('th', { scope: 'row' }, `R${rScore}`),
        Array.from({ length: bins }, (_, f) => {
          const c = cells.get(`${rScore}:${f + 1}`);
          const n = c?.customers ?? 0;
          return el('td', { style: heat(n / most), title: `R${rScore} F${f + 1}: ${fmt.int(n)} customers, net revenue ${fmt.money(c?.net_revenue ?? 0)}` }, fmt.int(n));
        }))))));
  const segs = r.segments;
  return page('RFM', `Recency, frequency and monetary scores in ${bins} bins (${r.method}) as of ${fmt.day(r.as_of)}: ${fmt.int(r.scored)} customers scored, ${fmt.int(r.without_purchases)} without purchases.`,
    grid(
      card('R × F grid', heatmap),
      card('Share of customers and of revenue', chart({
        type: 'bar',
        data: {
          labels: segs.map((s) => s.segment),
          datasets: [
            { label: 'share of customers', data: segs.map((s) => s.share * 100), backgroundColor: palette[0] },
            { label: 'share of net revenue', data: segs.map((s) => s.share_of_net_revenue * 100), backgroundColor: palette[1] },
          ],
        },
        options: { indexAxis: 'y', scales: { x: { title: { display: true, text: '%' } } } },
      }, {
        summary: `${segs.length} RFM segments by share of customers and of revenue`,
        height: Math.max(240, segs.length * 30),
        id: 'rfm-chart',
      }))),
    card('Segments', table([
      { label: 'segment', value: (s) => segmentLink(s.name) },
      { label: 'customers', numeric: true, value: (s) => fmt.int(s.customers) },
      { label: 'share', numeric: true, value: (s) => fmt.pct(s.share) },
      { label: 'net revenue', numeric: true, value: (s) => fmt.money(s.net_revenue) },
      { label: 'share of net revenue', numeric: true, value: (s) => fmt.pct(s.share_of_net_revenue) },
      { label: 'mean R', numeric: true, value: (s) => fmt.num(s.avg_r) },
      { label: 'mean F', numeric: true, value: (s) => fmt.num(s.avg_f) },
      { label: 'mean M', numeric: true, value: (s) => fmt.num(s.avg_m) },
    ], segs)));
}

// ---- clusters ---------------------------------------------------------------------------------------

async function clusters() {
  const m = await optional('/api/clusters');
  if (!m) return page('Clusters', null, notice('No cluster model yet: run segmenta cluster.'));
  const axes = m.projection.axes;
  const axisTitle = (i) => (axes[i] ? `component ${i + 1} (${fmt.pct(axes[i].variance)} of variance; ${axes[i].loadings.slice(0, 2).map((l) => l.dimension).join(', ')})` : '');
  const scatter = chart({
    type: 'scatter',
    data: {
      datasets: [
        ...m.clusters.map((c, i) => ({
          label: `${c.segment} (${fmt.int(c.customers)})`,
          data: m.projection.points.filter((p) => p[2] === c.id).map((p) => ({ x: p[0], y: p[1] })),
          backgroundColor: `${palette[i % palette.length]}99`,
          pointRadius: 2,
        })),
        {
          label: 'centroids',
          data: m.projection.centroids.map((p) => ({ x: p[0], y: p[1] })),
          backgroundColor: '#102a43',
          pointStyle: 'crossRot',
          pointRadius: 9,
          borderWidth: 3,
          borderColor: '#102a43',
        },
      ],
    },
    options: { scales: { x: { title: { display: true, text: axisTitle(0) } }, y: { title: { display: true, text: axisTitle(1) } } } },
  }, {
    summary: `${m.projection.points.length} of ${fmt.int(m.projection.customers)} customers and the ${m.k} centroids on the first two principal components`,
    height: 380,
    id: 'cluster-scatter',
  });
  const byK = m.by_k;
  const kChart = byK.length > 1
    ? chart({
      type: 'line',
      data: {
        labels: byK.map((q2) => `k = ${q2.k}`),
        datasets: [
          { label: 'silhouette (higher is better)', data: byK.map((q2) => q2.silhouette), borderColor: palette[0], backgroundColor: palette[0], yAxisID: 'y' },
          { label: 'inertia (elbow)', data: byK.map((q2) => q2.inertia), borderColor: palette[1], backgroundColor: palette[1], yAxisID: 'y1' },
        ],
      },
      options: { scales: { y: { position: 'left', title: { display: true, text: 'silhouette' } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'inertia' } } } },
    }, {
      summary: `Silhouette and inertia for k from ${byK[0].k} to ${byK.at(-1).k}; chosen k = ${m.k}${m.elbow_k ? `, elbow at ${m.elbow_k}` : ''}`,
      data: {
        columns: [{ label: 'k', value: (x) => x.k }, { label: 'silhouette', numeric: true, value: (x) => fmt.num(x.silhouette, 4) }, { label: 'inertia', numeric: true, value: (x) => fmt.num(x.inertia, 1) },
          { label: 'Calinski–Harabasz', numeric: true, value: (x) => fmt.num(x.calinski_harabasz, 1) }, { label: 'Davies–Bouldin', numeric: true, value: (x) => fmt.num(x.davies_bouldin, 3) }],
        rows: byK,
      },
      id: 'k-chart',
    })
    : notice(m.by_k.length ? `k = ${m.k} was asked for.` : 'This model was stored before the k-selection curve was kept; refit it with segmenta cluster.');
  const dims = m.clusters[0]?.centers ?? [];
  const profile = table([
    { label: 'input', value: (d) => (d.level ? `${d.input} = ${d.level}` : d.input) },
    ...m.clusters.map((c) => ({ label: c.segment, numeric: true, value: (d) => { const x = c.centers.find((y) => y.input === d.input && y.level === d.level); return d.level ? fmt.pct(x?.mean) : fmt.num(x?.mean); } })),
    { label: 'all', numeric: true, value: (d) => (d.level ? fmt.pct(d.overall) : fmt.num(d.overall)) },
  ], dims, { caption: 'Mean of each input per cluster (share for a category level)' });
  return page('Clusters', `k-means model ${m.model}, fitted as of ${fmt.day(m.as_of)} on ${[...m.numeric, ...m.categorical].join(', ')} (${m.scaling} scaling). ${m.reason ?? ''}`,
    el('div', { class: 'stats' }, m.clusters.map((c) => stat(c.segment, fmt.int(c.customers), fmt.pct(c.share)))),
    grid(card('Customers on the two principal axes', scatter), card('Choosing k', kChart)),
    card('Profiles', profile, el('p', {}, m.clusters.map((c) => [segmentLink(c.segment), ' ']))));
}

// ---- lifetime value ---------------------------------------------------------------------------------

async function clv() {
  const answer = await optional('/api/clv');
  if (!answer) return page('Lifetime value', null, notice('No CLV model yet: run segmenta clv fit.'));
  const { model, predictions: p } = answer;
  const personas = (await api('/api/personas')).personas.filter((x) => x.report.lifetime);
  const bySegment = personas.map((x) => ({ segment: x.report.segment, mean: x.report.lifetime.members_mean_value, base: x.report.lifetime.all_customers_mean_value, alive: x.report.lifetime.members_mean_p_alive, share: x.report.lifetime.share_of_value, customers: x.report.customers }))
    .sort((a, b) => (b.mean ?? 0) - (a.mean ?? 0));
  return page('Lifetime value', `${model.model} (model ${model.version}) · ${fmt.num(p.horizon_days, 0)}-day value as of ${p.history_end}, margin ${fmt.pct(p.margin, 0)}, annual discount ${fmt.pct(p.discount, 0)}.`,
    el('div', { class: 'stats' },
      stat('customers', fmt.int(p.customers)),
      stat('predicted value', fmt.whole(p.total_value)),
      stat('mean / median value', `${fmt.money(p.mean_value)} / ${fmt.money(p.median_value)}`),
      stat('expected purchases', fmt.num(p.expected_purchases, 0)),
      stat('mean P(alive)', fmt.pct(p.mean_p_alive)),
      stat('likely inactive', fmt.int(p.likely_inactive))),
    model.warnings?.length ? card('What qualifies these numbers', el('ul', {}, ...model.warnings.map((w) => el('li', {}, w)))) : null,
    grid(
      card('Distribution: value by decile', chart({
        type: 'bar',
        data: { labels: p.deciles.map((d) => `D${d.decile}`), datasets: [{ label: 'share of predicted value', data: p.deciles.map((d) => d.share_of_value * 100), backgroundColor: palette[2] }] },
        options: { plugins: { legend: { display: false } }, scales: { y: { title: { display: true, text: '% of predicted value' } } } },
      }, {
        summary: `The top tenth of customers holds ${fmt.pct(p.deciles[0]?.share_of_value)} of predicted value`,
        data: { columns: [{ label: 'decile', value: (d) => `D${d.decile}` }, { label: 'customers', numeric: true, value: (d) => fmt.int(d.customers) }, { label: 'value', numeric: true, value: (d) => fmt.money(d.value) }, { label: 'share', numeric: true, value: (d) => fmt.pct(d.share_of_value) }, { label: 'mean P(alive)', numeric: true, value: (d) => fmt.pct(d.mean_p_alive) }], rows: p.deciles },
        id: 'clv-deciles',
      })),
      card('By segment: mean predicted value', bySegment.length
        ? chart({
          type: 'bar',
          data: { labels: bySegment.map((s) => s.segment), datasets: [{ label: 'mean value', data: bySegment.map((s) => s.mean), backgroundColor: palette[0] }, { label: 'all customers', data: bySegment.map((s) => s.base), backgroundColor: '#bcccdc' }] },
          options: { indexAxis: 'y' },
        }, {
          summary: `Mean predicted value of ${bySegment.length} segments beside all customers' mean`,
          data: { columns: [{ label: 'segment', value: (s) => segmentLink(s.segment) }, { label: 'customers', numeric: true, value: (s) => fmt.int(s.customers) }, { label: 'mean value', numeric: true, value: (s) => fmt.money(s.mean) }, { label: 'share of value', numeric: true, value: (s) => fmt.pct(s.share) }, { label: 'mean P(alive)', numeric: true, value: (s) => fmt.pct(s.alive) }], rows: bySegment },
          height: Math.max(240, bySegment.length * 30),
          id: 'clv-segments',
        })
        : notice('No segment has members with predictions.'))),
    card('Most valuable customers', table([
      { label: 'customer', value: (t) => t.customer_id },
      { label: 'value', numeric: true, value: (t) => fmt.money(t.value) },
      { label: 'P(alive)', numeric: true, value: (t) => fmt.pct(t.p_alive) },
      { label: 'expected purchases', numeric: true, value: (t) => fmt.num(t.expected_purchases) },
      { label: 'repeat purchases', numeric: true, value: (t) => fmt.int(t.x) },
    ], p.top)));
}

// ---- campaigns --------------------------------------------------------------------------------------

async function campaigns() {
  const list = await api('/api/campaigns');
  return page('Campaigns', 'Launched campaigns: per-segment arms with randomized holdouts.',
    list.length
      ? card('Launched', table([
        { label: 'campaign', value: (c) => el('a', { href: `#/campaign/${q(c.name)}` }, c.name) },
        { label: 'description', value: (c) => c.definition.description ?? '' },
        { label: 'customers', numeric: true, value: (c) => fmt.int(c.customers) },
        { label: 'segments', value: (c) => c.definition.segments.join(', ') },
        { label: 'send at', value: (c) => fmt.day(c.send_at) },
      ], list))
      : notice('No campaign has been launched: segmenta campaign launch FILE.'));
}

async function campaign(name) {
  const r = await api(paths.results(name));
  const rows = r.comparisons.map((c) => ({ ...c, label: `${c.segment}: ${c.arm} vs ${c.against}` }));
  // The estimate is drawn as a thin bar over its interval: a tick a few thousandths of the axis wide.
  const ends = rows.flatMap((c) => [c.conversion.interval?.low ?? 0, c.conversion.interval?.high ?? 0, 0]).map((v) => v * 100);
  const tick = Math.max(0.01, (Math.max(...ends) - Math.min(...ends)) * 0.004);
  const lift = chart({
    type: 'bar',
    data: {
      labels: rows.map((c) => c.label),
      datasets: [
        { label: `${fmt.pct(r.confidence, 0)} interval`, data: rows.map((c) => [c.conversion.interval?.low * 100, c.conversion.interval?.high * 100]), backgroundColor: '#9fb3c8', barPercentage: 0.5, grouped: false },
        { label: 'estimated lift', data: rows.map((c) => [c.conversion.difference * 100 - tick, c.conversion.difference * 100 + tick]), backgroundColor: '#102a43', barPercentage: 0.9, grouped: false },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { title: { display: true, text: 'difference in conversion rate, percentage points' }, grid: { color: (c) => (c.tick?.value === 0 ? '#102a43' : '#e4e7eb') } } } },
  }, {
    summary: `Conversion lift with ${fmt.pct(r.confidence, 0)} intervals for ${rows.length} comparisons: ${rows.map((c) => `${c.label} ${fmt.pp(c.conversion.difference)}`).join('; ')}`,
    height: Math.max(220, rows.length * 38),
    id: 'lift-chart',
  });
  const t = r.totals;
  return page(`Campaign ${r.campaign}`, `${r.description ? `${r.description}. ` : ''}Audience as of ${fmt.day(r.audience_as_of)}; outcome window ${fmt.day(r.window.from)} to ${fmt.day(r.window.to)}${r.window.complete ? '' : ' (still open)'}; ${r.correction}-adjusted p.`,
    el('div', { class: 'stats' },
      stat('contacts', fmt.int(t.contacts)),
      stat('conversions', fmt.int(t.conversions), fmt.pct(t.conversion_rate, 2)),
      stat('incremental revenue', fmt.whole(t.incremental_revenue), t.money ? `${fmt.whole(t.money.incremental_revenue_interval[0])} to ${fmt.whole(t.money.incremental_revenue_interval[1])}` : null),
      stat('net profit', fmt.whole(t.net_profit), t.money ? `${fmt.whole(t.money.net_profit_interval[0])} to ${fmt.whole(t.money.net_profit_interval[1])}` : null),
      stat('ROI', el('span', { 'data-testid': 'campaign-roi' }, t.money?.verdict === 'inconclusive' ? 'not distinguishable from 0' : fmt.pct(t.roi)),
        t.money?.roi_interval ? `${fmt.pct(t.money.roi_interval[0])} to ${fmt.pct(t.money.roi_interval[1])}` : null)),
    t.money?.verdict === 'inconclusive' ? notice('The campaign\'s net profit is not distinguishable from zero at this confidence: the point estimates below are not a result.') : null,
    card('Lift in conversion with confidence intervals', lift),
    card('Comparisons', table([
      { label: 'segment', value: (c) => c.segment },
      { label: 'arm', value: (c) => c.arm },
      { label: 'against', value: (c) => c.against },
      { label: 'conversion lift', numeric: true, value: (c) => fmt.pp(c.conversion.difference) },
      { label: 'interval', numeric: true, value: (c) => `${fmt.pp(c.conversion.interval?.low)} to ${fmt.pp(c.conversion.interval?.high)}` },
      { label: 'adjusted p', numeric: true, value: (c) => fmt.p(c.conversion.adjusted_p) },
      { label: 'incremental revenue', numeric: true, value: (c) => fmt.money(c.incremental_revenue) },
      { label: 'cost', numeric: true, value: (c) => fmt.money(c.cost) },
      { label: 'net profit', numeric: true, value: (c) => fmt.money(c.net_profit) },
      { label: 'ROI', numeric: true, value: (c) => (c.money?.verdict === 'inconclusive' ? 'n.s.' : fmt.pct(c.roi)) },
    ], rows, { caption: 'Each arm against its comparison group', className: 'comparisons' })),
    card('Arms', table([
      { label: 'segment', value: (a) => a.segment },
      { label: 'arm', value: (a) => a.arm },
      { label: 'recipients', numeric: true, value: (a) => fmt.int(a.recipients) },
      { label: 'conversion', numeric: true, value: (a) => fmt.pct(a.conversion_rate, 2) },
      { label: 'interval', numeric: true, value: (a) => `${fmt.pct(a.conversion_interval?.low, 2)} to ${fmt.pct(a.conversion_interval?.high, 2)}` },
      { label: 'open rate', numeric: true, value: (a) => fmt.pct(a.open_rate) },
      { label: 'click rate', numeric: true, value: (a) => fmt.pct(a.click_rate) },
      { label: 'revenue / recipient', numeric: true, value: (a) => fmt.money(a.revenue_per_recipient) },
      { label: 'cost', numeric: true, value: (a) => fmt.money(a.cost) },
    ], r.arms)));
}

// ---- migration --------------------------------------------------------------------------------------

/** The family's snapshots and the default pair (first and last); HtmlReport.cs saves the migration of the same pair. */
function migrationDefaults(history, family) {
  const prefix = family === 'rfm' ? 'rfm_' : 'cluster_';
  const instants = [...new Set(history.segments.filter((h) => h.segment.startsWith(prefix)).flatMap((h) => h.materializations.map((m) => m.as_of)))].sort();
  return { instants, from: instants[0], to: instants.at(-1) };
}

async function migration(arg) {
  const [familyArg, fromArg, toArg] = (arg || 'rfm').split('/');
  const family = familyArg === 'clusters' ? 'clusters' : 'rfm';
  const history = await api('/api/history');
  const { instants, from: first, to: last } = migrationDefaults(history, family);
  const from = fromArg ?? first;
  const to = toArg ?? last;
  const controls = el('form', {
    class: 'controls',
    onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      location.hash = `#/migration/${data.get('family')}/${data.get('from')}/${data.get('to')}`;
    },
  },
  el('label', {}, 'Segments ', el('select', { name: 'family', disabled: !!report }, ['rfm', 'clusters'].map((f) => el('option', { value: f, selected: f === family }, f)))),
  el('label', {}, 'From ', el('select', { name: 'from', disabled: !!report }, instants.map((t) => el('option', { value: t, selected: t === from }, fmt.day(t))))),
  el('label', {}, 'To ', el('select', { name: 'to', disabled: !!report }, instants.map((t) => el('option', { value: t, selected: t === to }, fmt.day(t))))),
  report ? el('span', { class: 'hint' }, 'The report holds the first and last snapshots; other pairs need the live dashboard.') : el('button', { type: 'submit' }, 'Show'));
  const reportLinks = report ? el('p', {}, 'Families: ', el('a', { href: '#/migration/rfm' }, 'rfm'), ' · ', el('a', { href: '#/migration/clusters' }, 'clusters')) : null;
  if (instants.length < 2) return page('Migration', null, controls, reportLinks, notice(`The ${family} segments have fewer than two snapshots: migration needs two refreshes.`));

  const m = await api(paths.migration(family, from, to));
  const most = Math.max(1, ...m.shares.flat());
  const matrix = el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Migration matrix' },
    el('table', { class: 'heatmap', id: 'migration-matrix' },
      el('caption', {}, `Customers in each segment on ${fmt.day(m.from)} (rows) by segment on ${fmt.day(m.to)} (columns); shade: share of the row`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'from \\ to'), m.states.map((s) => el('th', { scope: 'col' }, s)), el('th', { scope: 'col', class: 'num' }, 'total'))),
      el('tbody', {}, m.states.map((s, i) => el('tr', {}, el('th', { scope: 'row' }, s),
        m.counts[i].map((n, j) => el('td', { style: heat(m.shares[i][j] / most), title: `${s} → ${m.states[j]}: ${fmt.int(n)} (${fmt.pct(m.shares[i][j])} of ${s})` }, fmt.int(n))),
        el('td', { class: 'num' }, fmt.int(m.from_totals[i])))))));
  return page('Migration', `Who moved between the ${family} segments from ${fmt.day(m.from)} to ${fmt.day(m.to)}: ${fmt.int(m.stayed)} stayed.`,
    controls, reportLinks,
    card('Matrix', matrix),
    card('Largest flows', table([
      { label: 'from', value: (f) => f.from },
      { label: 'to', value: (f) => f.to },
      { label: 'customers', numeric: true, value: (f) => fmt.int(f.customers) },
      { label: 'share of from', numeric: true, value: (f) => fmt.pct(f.share_of_from) },
    ], m.top_flows)));
}

export const views = { overview, builder, segments, segment, rfm, clusters, clv, campaigns, campaign, migration };
