// The segment language in the builder: colouring (a mirror behind the transparent textarea) and completion of the
// names the workspace's schema knows (GET /api/schema). Diagnostics come from the check the builder already runs.

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const TOKEN = new RegExp([
  '(?<comment>#.*|//.*)',
  '(?<string>"(?:[^"\\\\\\n]|\\\\.)*"?|\'(?:[^\'\\\\\\n]|\\\\.)*\'?)',
  '(?<quoted>`[^`\\n]*`?)',
  '(?<date>\\d{4}-\\d{2}-\\d{2})',
  '(?<number>\\d+(?:\\.\\d+)?)',
  '(?<word>[A-Za-z_][A-Za-z0-9_]*)',
  '(?<operator>!=|<>|<=|>=|==|[=<>+\\-*/%(),.])',
].join('|'), 'g');

/** The tokens of one line: [start, end, class]. Words are keywords, functions, event types or names by the schema. */
export function tokens(line, schema) {
  const found = [];
  const keywords = new Set(schema?.keywords ?? []);
  const functions = new Set(schema?.functions ?? []);
  const events = new Set(schema?.event_types ?? []);
  for (const m of line.matchAll(TOKEN)) {
    const kind = Object.keys(m.groups).find((k) => m.groups[k] !== undefined);
    let cls = kind;
    if (kind === 'word') {
      const word = m[0];
      const next = line.slice(m.index + word.length).trimStart();
      const lower = word.toLowerCase();
      cls = functions.has(lower) && next.startsWith('(') ? 'function'
        : events.has(word) && !next.startsWith('=') ? 'event'
          : keywords.has(lower) && !/^(=|!=|<|>|contains|starts|ends|in\s*\(|is\b)/.test(next) ? 'keyword'
            : 'name';
    }
    found.push([m.index, m.index + m[0].length, cls]);
  }
  return found;
}

/** The mirror's HTML: coloured tokens, and a wavy mark under each diagnostic's span (its message as the title). */
export function highlight(text, diagnostics, schema) {
  return `${text.split('\n').map((line, i) => {
    const marks = diagnostics.filter((d) => d.line === i + 1).map((d) => {
      const start = Math.min(line.length, d.column - 1);
      return [start, Math.max(start + 1, Math.min(line.length, start + Math.max(1, d.length))), d.message];
    });
    const cuts = new Set([0, line.length]);
    const spans = tokens(line, schema);
    for (const [a, b] of [...spans, ...marks]) { cuts.add(a); cuts.add(Math.min(b, line.length)); }
    const points = [...cuts].sort((a, b) => a - b);
    let html = '';
    for (let k = 0; k + 1 < points.length; k++) {
      const [a, b] = [points[k], points[k + 1]];
      const piece = escape(line.slice(a, b));
      const token = spans.find(([s, e]) => s <= a && b <= e);
      const coloured = token ? `<span class="tok-${token[2]}">${piece}</span>` : piece;
      const mark = marks.find(([s, e]) => s <= a && b <= e);
      html += mark ? `<mark class="squiggle" title="${escape(mark[2])}">${coloured}</mark>` : coloured;
    }
    // A mistake past the end of its line (a missing value) is marked with one space.
    const after = marks.filter(([s]) => s >= line.length);
    if (after.length) html += `<mark class="squiggle" title="${escape(after[0][2])}"> </mark>`;
    return html;
  }).join('\n')}\n`;
}

const AGGREGATE = /\b(count|sum|avg|min|max|first|last|most_frequent)\(\s*(?:distinct\s+)?$/i;

/**
 * What can be written at the caret: the start of the word being typed and the names that fit there — event types after
 * `did`, `then` or an aggregate's `(`, properties after `event.` or in an event's `where`, a computed field set's fields
 * after `rfm.`, segments after `in segment`, and otherwise traits, computed traits, fields, functions and keywords.
 */
export function completions(text, caret, schema) {
  if (!schema) return null;
  const before = text.slice(0, caret);
  const word = /[A-Za-z_][A-Za-z0-9_]*$/.exec(before)?.[0] ?? '';
  const from = caret - word.length;
  const head = before.slice(0, from);
  const properties = schema.event_properties.map((p) => p.name);
  let items;
  const dotted = /([A-Za-z_][A-Za-z0-9_]*)\.$/.exec(head);
  if (dotted) {
    const owner = dotted[1];
    items = schema.event_types.includes(owner) ? properties
      : schema.fields.filter((f) => f.name.startsWith(`${owner}.`)).map((f) => f.name.slice(owner.length + 1));
  } else if (/\bin\s+segment\s+$/i.test(head)) {
    items = schema.segments;
  } else if (AGGREGATE.test(head) || /\b(did(\s+not)?|then)\s+$/i.test(head)) {
    items = schema.event_types;
  } else if (inEventFilter(head, schema)) {
    items = properties;
  } else {
    if (!word) return null;
    items = [
      ...schema.traits.map((t) => t.name), ...schema.computed_traits.map((t) => t.name), ...schema.fields.map((f) => f.name),
      ...schema.functions, ...schema.keywords];
  }
  const lower = word.toLowerCase();
  const matching = [...new Set(items)].filter((i) => i.toLowerCase().startsWith(lower) && i !== word);
  return matching.length ? { from, to: caret, items: matching.slice(0, 12) } : null;
}

/** Whether the caret is inside an event's `where` (after `did A where`, `count(A where`, `then B where`), not the segment's. */
function inEventFilter(head, schema) {
  const at = head.search(/\bwhere\b(?![\s\S]*\bwhere\b)/i);
  if (at < 0) return false;
  const previous = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(head.slice(0, at))?.[1];
  const rest = head.slice(at);
  return Boolean(previous) && schema.event_types.includes(previous) && !/\b(and|or)\b|[)]/i.test(rest.replace(/\([^()]*\)/g, ''));
}
