// The console's client: renders the platform-neutral card model (src/domain/cards/card.ts) as HTML,
// keeps the room live over server-sent events, and sends commands and clicks back. Everything
// from the server is inserted as text (never as HTML), so a card cannot inject markup. The page's
// own words come from the string catalogue (src/domain/strings), put into the page by the server.
'use strict';

const $ = (id) => document.getElementById(id);

/** `{ en: { 'console.title': … }, 'zh-TW': { … } }`, or nothing if the page came without it. */
const STRINGS = (() => {
  try {
    return JSON.parse($('console-strings').textContent);
  } catch {
    return {};
  }
})();
const LANGS = Object.keys(STRINGS).length ? Object.keys(STRINGS) : ['en'];

const state = {
  user: null,
  /** 'picker' (the demo), 'oidc' (signed in) or 'read-only' (no sign-in configured). */
  mode: 'picker',
  /** The session's token, sent with every change (oidc); the server compares it. */
  csrf: null,
  room: 'alerts',
  messages: new Map(),
  source: null,
  lang: pickLang(),
  banner: null,
  /** The role of who is acting ('viewer', 'operator', …), shown in the header. */
  role: null,
  /** The private answer the person is waiting for: brought into view when it arrives. */
  reveal: null,
  /** Folds (<details>) the reader opened, by message and fold: a redraw keeps them open. */
  openFolds: new Set(),
  /** Answers made by the page itself (a request that failed), numbered. */
  localCount: 0,
  /** Loads of the room so far: only the newest may draw. */
  loads: 0,
  /** The answer last brought into view; the reader scrolling lets it go. */
  focus: null,
};

/** The language chosen on this page before, else the browser's, else English. */
function pickLang() {
  const saved = localStorage.getItem('console-lang');
  if (saved && LANGS.includes(saved)) return saved;
  const wanted = (window.navigator.language || '').toLowerCase();
  return LANGS.find((l) => l !== 'en' && wanted.startsWith(l.slice(0, 2).toLowerCase())) || 'en';
}

/** The catalogue's string for `key`, with its `{placeholders}` filled. */
function t(key, params) {
  const text = (STRINGS[state.lang] || {})[key] ?? (STRINGS.en || {})[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Puts the page's own words in the current language (and redraws what carries any). */
function applyStrings() {
  document.documentElement.lang = state.lang;
  document.title = t('console.title');
  for (const node of document.querySelectorAll('[data-text]'))
    node.textContent = t(node.dataset.text);
  for (const node of document.querySelectorAll('[data-placeholder]'))
    node.setAttribute('placeholder', t(node.dataset.placeholder));
  for (const node of document.querySelectorAll('[data-aria-label]'))
    node.setAttribute('aria-label', t(node.dataset.ariaLabel));
  $('lang').hidden = LANGS.length < 2;
  showBanner();
  showScenarios();
  showRole();
  draw([...state.messages.values()]);
}

function nextLang() {
  return LANGS[(LANGS.indexOf(state.lang) + 1) % LANGS.length];
}

/** The banner is one text, or one per language. */
function showBanner() {
  const b = state.banner;
  const text = !b ? '' : typeof b === 'string' ? b : b[state.lang] || b.en || '';
  $('banner').textContent = text;
  $('banner').hidden = text === '';
}

/** A demo scenario's line in the picker, in the page's language. */
function scenarioLabel(s) {
  const d = s.description || {};
  return `${s.name}: ${d[state.lang] || d.en || ''}`;
}

/** Redraws the scenario picker's lines after a language change. */
function showScenarios() {
  for (const option of document.querySelectorAll('#scenario option')) {
    const s = (state.scenarios || []).find((x) => x.name === option.value);
    if (s) option.textContent = scenarioLabel(s);
  }
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** A transient notice, on its own line above the command box (answers go into the conversation). */
function toast(text) {
  const t = $('toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.hidden = true), 8000);
}

async function api(path, body, base = '/console/api/') {
  const headers = {};
  if (body) headers['content-type'] = 'application/json';
  if (body && state.csrf) headers['x-csrf-token'] = state.csrf;
  const res = await fetch(`${base}${path}`, {
    method: body ? 'POST' : 'GET',
    headers,
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await res.json().catch(() => ({}));
  // Signed out or expired: to the provider, which sends the browser back here.
  if (res.status === 401 && state.mode === 'oidc') window.location.assign('/console/auth/login');
  if (!res.ok) throw new Error(data.key ? t(data.key) : data.message || `HTTP ${res.status}`);
  return data;
}

/** Who the request is for: the picker's choice in the demo; otherwise the session says it. */
function asUser(body) {
  return state.mode === 'picker' ? { user: state.user, ...body } : body;
}

/**
 * The server put a private answer into the conversation (`messageId`): bring it into view when it
 * is there (the stream may bring it before or after this response).
 */
function showPrivate(r) {
  if (!r || !r.messageId) return;
  state.reveal = r.messageId;
  if (document.getElementById(`m-${r.messageId}`)) reveal(r.messageId);
}

function reveal(id) {
  state.reveal = null;
  const node = document.getElementById(`m-${id}`);
  if (!node) return;
  state.focus = id;
  node.classList.add('revealed');
  // At once, not smoothly: a card redrawn during a smooth scroll would stop it short of the
  // answer. The highlight shows where the eye should go. An answer taller than the view starts at
  // its top: "nearest" would leave its end in view, the part the person reads last.
  const fits = node.getBoundingClientRect().height <= $('messages').clientHeight;
  node.scrollIntoView({ block: fits ? 'nearest' : 'start' });
}

/**
 * Runs a request of whoever the page is for now, and shows its answer only while the page is
 * still theirs: after a switch of user (the demo's picker), an answer or error of the one before
 * is not shown to the next.
 */
async function asked(request) {
  const who = state.user;
  try {
    const r = await request();
    if (who === state.user) showPrivate(r);
  } catch (err) {
    if (who === state.user) failed(err);
  }
}

/** An answer of the page itself (a request that failed): a private message, in view. */
function sayLocally(text) {
  state.localCount += 1;
  const id = `local-${state.localCount}`;
  const now = new Date().toISOString();
  upsert({ id, at: now, updatedAt: now, visibleTo: state.user || '', reply: { text }, thread: [] });
  reveal(id);
}

const failed = (err) => sayLocally(String((err && err.message) || err));

async function click(action, messageId) {
  const body = asUser({ room: state.room, value: action.value });
  if (messageId) body.messageId = messageId;
  if (action.confirm) {
    if (!window.confirm(`${action.confirm.title}\n\n${action.confirm.text}`)) return;
    body.confirmed = true;
  }
  if (action.needsReason) {
    const reason = window.prompt(action.needsReason.label, '');
    if (reason === null) return;
    if (!reason.trim() && !action.needsReason.optional) return toast(t('console.reasonNeeded'));
    body.reason = reason;
  }
  await asked(() => api('action', body));
}

function buttons(actions, messageId) {
  // Read-only: the server refuses every click, so none is offered.
  if (!actions || actions.length === 0 || state.mode === 'read-only') return null;
  return el(
    'div',
    { class: 'actions' },
    actions.map((a) =>
      el(
        'button',
        { type: 'button', class: a.style, 'data-action': a.id, onclick: () => click(a, messageId) },
        a.label,
      ),
    ),
  );
}

function codeBlocks(blocks) {
  return (blocks || []).map((c) =>
    el('div', {}, c.title ? el('div', { class: 'note' }, c.title) : null, el('pre', {}, c.body)),
  );
}

/**
 * A reply's text with its code drawn: ``` fenced blocks as <pre>, `inline` spans as <code>, the
 * rest as text (built as nodes: nothing in it is parsed as HTML).
 */
function richText(text) {
  const parts = [];
  String(text ?? '')
    .split(/```(?:[\w-]*\n)?([\s\S]*?)```/)
    .forEach((part, i) => {
      if (i % 2 === 1) return void parts.push(el('pre', {}, part.replace(/\n$/, '')));
      part.split(/`([^`\n]+)`/).forEach((bit, j) => {
        if (j % 2 === 1) parts.push(el('code', {}, bit));
        else if (bit) parts.push(bit);
      });
    });
  return el('div', { class: 'text' }, parts);
}

/** The catalogue's plural: `.one` for 1, `.other` otherwise (zh-TW has one form for both). */
const plural = (one, other, count) => (count === 1 ? one : other);

/**
 * A fold: `summary` shown, `content` one click away. Its key names it within the page, so that a
 * redraw of the card leaves open what the reader opened.
 */
function fold(key, summary, content, cls) {
  const node = el(
    'details',
    { class: cls || 'fold', 'data-fold': key },
    el('summary', {}, summary),
  );
  node.append(...[content].flat(Infinity).filter(Boolean));
  if (state.openFolds.has(key)) node.open = true;
  node.addEventListener('toggle', () =>
    node.open ? state.openFolds.add(key) : state.openFolds.delete(key),
  );
  return node;
}

/** A `CardTable` (src/domain/cards/card.ts) as an HTML table. */
function renderTable(table) {
  const columns = table.columns || [];
  const align = (c) => (c.align === 'right' ? 'num' : null);
  const omitted = table.omittedRows || 0;
  return el(
    'div',
    { class: 'table-wrap' },
    el(
      'table',
      { class: 'data' },
      table.title ? el('caption', {}, table.title) : null,
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          columns.map((c) =>
            el('th', { scope: 'col', class: align(c), 'data-col': c.key }, c.label),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        (table.rows || []).map((r) =>
          el(
            'tr',
            { class: r.tone ? `tone-${r.tone}` : null },
            columns.map((c, i) => el('td', { class: align(c) }, (r.cells || [])[i] ?? '')),
          ),
        ),
      ),
    ),
    omitted > 0
      ? el(
          'div',
          { class: 'note' },
          plural(
            t('console.rowsOmitted.one', { count: omitted }),
            t('console.rowsOmitted.other', { count: omitted }),
            omitted,
          ),
        )
      : null,
  );
}

/** A code block longer than this (characters or lines) folds in a card's thread. */
const LONG_CODE = { chars: 400, lines: 6 };
const isLong = (c) =>
  String(c.body).length > LONG_CODE.chars || String(c.body).split('\n').length > LONG_CODE.lines;

/**
 * A reply: its text, its tables, and its raw output (folded when tables show it already). In a
 * card's thread a long output folds too, under its title: the thread is most of a long card's
 * height, and the command and the result line say what happened.
 */
function renderReply(reply, key, inThread = false) {
  const tables = reply.tables || [];
  const code = reply.code || [];
  if (tables.length && code.length) {
    return [
      richText(reply.text),
      tables.map(renderTable),
      fold(`${key}:raw`, t('console.rawOutput'), codeBlocks(code), 'raw'),
    ];
  }
  return [
    richText(reply.text),
    tables.map(renderTable),
    inThread
      ? code.map((c, i) =>
          isLong(c)
            ? fold(
                `${key}:code:${i}`,
                c.title || t('console.rawOutput'),
                codeBlocks([{ body: c.body }]),
                'raw',
              )
            : codeBlocks([c]),
        )
      : codeBlocks(code),
  ];
}

/** A pre-check's verdict and the tables it was decided on. */
function renderEvidence(ev) {
  return el(
    'div',
    { class: 'evidence', 'data-evidence': '' },
    el('div', { class: `status tone-${ev.tone}` }, ev.verdict),
    (ev.tables || []).map(renderTable),
    ev.checkedAt
      ? el(
          'div',
          { class: 'note' },
          t('console.checkedAt', { time: new Date(ev.checkedAt).toLocaleString(state.lang) }),
        )
      : null,
  );
}

/** Steps that have their final state: folded away, so that the step at hand is what shows. */
const FINISHED_STEPS = new Set(['succeeded', 'skipped', 'done', 'not-applicable']);
/** Requests decided and over; pending, approved, running and unknown ones stay open. */
const DECIDED_REQUESTS = new Set(['rejected', 'expired', 'cancelled', 'succeeded', 'failed']);

const finishedStep = (s) =>
  FINISHED_STEPS.has(s.state) && (s.steps || []).every((x) => finishedStep(x));

/**
 * `items` in their order, each run of consecutive finished ones drawn by `foldRun` (one fold),
 * the others by `one`.
 */
function folded(items, finished, one, foldRun) {
  const out = [];
  let run = [];
  const flush = () => {
    if (run.length) out.push(foldRun(run));
    run = [];
  };
  for (const item of items) {
    if (finished(item)) run.push(item);
    else {
      flush();
      out.push(one(item));
    }
  }
  flush();
  return out;
}

/** A list of steps, runs of finished ones folded ("4 finished steps"). */
function renderSteps(steps, messageId) {
  return el(
    'ol',
    { class: 'steps' },
    folded(
      steps,
      finishedStep,
      (s) => renderStep(s, messageId),
      (run) => {
        // Named by its first step: the run grows at its end as the run goes on, and stays open.
        const key = `m:${messageId}:steps:${run[0].id}`;
        const n = run.length;
        return el(
          'li',
          { class: 'fold', 'data-anchor': key },
          fold(
            key,
            plural(
              t('console.fold.steps.one', { count: n }),
              t('console.fold.steps.other', { count: n }),
              n,
            ),
            el(
              'ol',
              { class: 'steps' },
              run.map((s) => renderStep(s, messageId)),
            ),
          ),
        );
      },
    ),
  );
}

function renderRequest(r, messageId) {
  return el(
    'div',
    {
      class: 'request',
      'data-request': r.id,
      'data-state': r.state,
      'data-anchor': `m:${messageId}:r:${r.id}`,
    },
    el('strong', {}, `${r.title} (${r.risk})`),
    el('div', { class: 'status' }, r.stateLabel),
    el('pre', {}, r.command),
    r.lines.map((l) => el('div', { class: 'note' }, l)),
    buttons(r.actions, messageId),
  );
}

/** The approval block, decided requests folded ("3 decided requests"). */
function renderRequests(requests, messageId) {
  return el(
    'div',
    { class: 'requests' },
    folded(
      requests,
      (r) => DECIDED_REQUESTS.has(r.state),
      (r) => renderRequest(r, messageId),
      (run) => {
        // Newest first: a run grows at its start, so it is named by its oldest request.
        const key = `m:${messageId}:requests:${run[run.length - 1].id}`;
        const n = run.length;
        return el(
          'div',
          { class: 'fold', 'data-anchor': key },
          fold(
            key,
            plural(
              t('console.fold.requests.one', { count: n }),
              t('console.fold.requests.other', { count: n }),
              n,
            ),
            run.map((r) => renderRequest(r, messageId)),
          ),
        );
      },
    ),
  );
}

function renderStep(s, messageId) {
  return el(
    'li',
    { 'data-step': s.id, 'data-state': s.state, 'data-anchor': `m:${messageId}:s:${s.id}` },
    el(
      'div',
      { class: 'step-head' },
      el('strong', {}, s.number),
      el('span', { class: 'kind' }, s.kindLabel),
      el('span', { class: `state state-${s.state}` }, s.stateLabel),
    ),
    el('div', {}, s.text),
    s.condition ? el('div', { class: 'condition' }, s.condition) : null,
    s.timing ? el('div', { class: 'timing' }, s.timing) : null,
    s.blockedReason ? el('div', { class: 'note' }, s.blockedReason) : null,
    (s.commands || []).map((c) => el('pre', { title: c.roleLabel || '' }, c.text)),
    (s.notes || []).map((n) => el('div', { class: 'note' }, n)),
    s.evidence ? renderEvidence(s.evidence) : null,
    buttons(s.actions, messageId),
    s.steps && s.steps.length ? renderSteps(s.steps, messageId) : null,
  );
}

function renderCard(card, messageId) {
  return el(
    'div',
    { class: `card tone-${card.tone}` },
    el('h2', {}, card.title),
    card.subtitle ? el('div', { class: 'subtitle' }, card.subtitle) : null,
    card.status
      ? el(
          'div',
          { class: `status tone-${card.status.tone}`, 'data-status': '' },
          card.status.label,
        )
      : null,
    card.facts && card.facts.length
      ? el(
          'dl',
          { class: 'facts' },
          card.facts.map((f) => [el('dt', {}, f.label), el('dd', { 'data-fact': f.key }, f.value)]),
        )
      : null,
    card.summary ? el('p', {}, card.summary) : null,
    (card.notes || []).map((n) => el('p', { class: 'note' }, n)),
    card.requests && card.requests.length ? renderRequests(card.requests, messageId) : null,
    card.steps && card.steps.length ? renderSteps(card.steps, messageId) : null,
    buttons(card.actions, messageId),
    card.links && card.links.length
      ? el(
          'div',
          { class: 'links' },
          // Only web links: a javascript: or data: URL would run in the page.
          card.links
            .filter((l) => /^https?:\/\//i.test(l.url))
            .map((l) => el('a', { href: l.url, target: '_blank', rel: 'noopener' }, l.title)),
        )
      : null,
  );
}

function renderMessage(m) {
  const key = `m:${m.id}`;
  const node = el(
    'article',
    {
      class: `msg${m.visibleTo ? ' private' : ''}`,
      id: `m-${m.id}`,
      'data-message': m.id,
      'data-anchor': key,
    },
    el(
      'div',
      { class: 'meta' },
      new Date(m.at).toLocaleTimeString(state.lang),
      m.visibleTo ? el('span', { class: 'only-you' }, ` · ${t('console.onlyYou')}`) : null,
    ),
    m.card ? renderCard(m.card, m.id) : null,
    !m.card && m.reply ? renderReply(m.reply, key) : null,
    m.thread && m.thread.length
      ? el(
          'div',
          { class: 'thread' },
          m.thread.map((x, i) =>
            el(
              'div',
              { class: 'reply', 'data-anchor': `${key}:t:${i}` },
              renderReply(x.reply, `${key}:t:${i}`, true),
            ),
          ),
        )
      : null,
  );
  return node;
}

const rendered = (n) => n.getClientRects().length > 0;
/** How many of the parts in view are remembered as candidates to keep in place. */
const MAX_ANCHORS = 24;

/**
 * What the reader sees: the named parts (messages, steps, requests, thread replies) in the
 * conversation's viewport, with their offsets from its top edge. First those that start in view,
 * topmost first; then those that cross the top edge, innermost first. A redraw may fold or remove
 * the first (a step that finished), so the next one still there holds the place.
 */
function anchorsInView(main) {
  const view = main.getBoundingClientRect();
  const starting = [];
  const crossing = [];
  for (const msg of main.children) {
    const box = msg.getBoundingClientRect();
    if (box.bottom <= view.top) continue;
    if (box.top >= view.bottom) break;
    for (const n of [msg, ...msg.querySelectorAll('[data-anchor]')]) {
      if (!n.dataset.anchor || !rendered(n)) continue;
      const r = n.getBoundingClientRect();
      if (r.bottom <= view.top || r.top >= view.bottom) continue;
      (r.top >= view.top ? starting : crossing).push({
        key: n.dataset.anchor,
        offset: r.top - view.top,
      });
    }
    if (starting.length >= MAX_ANCHORS) break;
  }
  return [...starting.slice(0, MAX_ANCHORS), ...crossing.reverse()];
}

/** The first of `anchors` still drawn as itself, and where it is now. */
function findAnchor(anchors) {
  for (const a of anchors) {
    // `m:<message id>` or `m:<message id>:<part>`: look within that message only.
    const msg = document.getElementById(`m-${a.key.split(':')[1]}`);
    if (!msg) continue;
    const node =
      msg.dataset.anchor === a.key
        ? msg
        : [...msg.querySelectorAll('[data-anchor]')].find((n) => n.dataset.anchor === a.key);
    if (node && rendered(node)) return { anchor: a, node };
  }
  return null;
}

/**
 * The answer brought into view, while the reader has not scrolled away from it: it holds its place
 * ahead of everything else, so a card that grows above it or a message that lands below it (at
 * the bottom, the page would follow) does not take it out of sight.
 */
function focusInView(main) {
  const node = state.focus && document.getElementById(`m-${state.focus}`);
  if (!node || !rendered(node)) return null;
  const view = main.getBoundingClientRect();
  const r = node.getBoundingClientRect();
  if (r.bottom <= view.top || r.top >= view.bottom) return null;
  return { key: node.dataset.anchor, offset: r.top - view.top };
}

/**
 * Draws messages, new or changed. A redraw replaces a message's node in place and keeps what the
 * reader was looking at where it was: at the bottom it stays at the bottom, otherwise the part in
 * view keeps its offset, whatever grew, shrank or folded above or inside it. Many at once (a
 * language switch) are measured once.
 */
function draw(list) {
  const main = $('messages');
  const focus = focusInView(main);
  const atBottom = !focus && main.scrollHeight - main.scrollTop - main.clientHeight < 80;
  const redraws = list.some((m) => document.getElementById(`m-${m.id}`));
  const anchors = focus ? [focus] : redraws && !atBottom ? anchorsInView(main) : [];
  for (const m of list) {
    state.messages.set(m.id, m);
    const old = document.getElementById(`m-${m.id}`);
    const fresh = renderMessage(m);
    if (old) old.replaceWith(fresh);
    else main.append(fresh);
  }
  const found = findAnchor(anchors);
  if (found) {
    const offset = found.node.getBoundingClientRect().top - main.getBoundingClientRect().top;
    const moved = offset - found.anchor.offset;
    if (Math.abs(moved) >= 0.5) main.scrollTop += moved;
  } else if (atBottom) main.scrollTop = main.scrollHeight;
  for (const m of list) if (state.reveal === m.id) reveal(m.id);
}

const upsert = (m) => draw([m]);

/**
 * Loads the room for whoever the page is now. The previous stream closes first and a load that a
 * newer one overtook draws nothing: after a switch of user, nothing meant for the one before may
 * arrive (their stream's next event, or their list answered late).
 */
async function load() {
  const generation = ++state.loads;
  if (state.source) state.source.close();
  state.source = null;
  $('messages').textContent = '';
  state.messages.clear();
  state.focus = null;
  state.reveal = null;
  const who = state.mode === 'picker' ? `&user=${encodeURIComponent(state.user)}` : '';
  const { from, messages } = await api(`messages?room=${state.room}${who}`);
  if (generation !== state.loads) return;
  draw(messages);
  const source = new EventSource(
    `/console/api/stream?room=${state.room}${who}&from=${encodeURIComponent(from)}`,
  );
  state.source = source;
  source.addEventListener('message', (e) => {
    if (state.source === source) upsert(JSON.parse(e.data));
  });
  // The server ends the stream when the session ends; the next request then signs in again.
  source.addEventListener('error', () => {
    if (state.source === source && source.readyState === EventSource.CLOSED)
      api('config').catch(() => undefined);
  });
}

/** A role's name in the page's language (the policy's own word when the page has none). */
function roleLabel(role) {
  const names = {
    viewer: t('console.role.viewer'),
    operator: t('console.role.operator'),
    approver: t('console.role.approver'),
    admin: t('console.role.admin'),
  };
  return Object.prototype.hasOwnProperty.call(names, role) ? names[role] : String(role);
}

/** The header's role, and the picker's lines, in the page's language. */
function showRole(role) {
  if (role !== undefined) state.role = role;
  $('role').textContent = state.role ? roleLabel(state.role) : '';
  for (const option of document.querySelectorAll('#user option'))
    option.textContent = `${option.value} (${roleLabel(option.dataset.role)})`;
}

/** The demo's picker: every console user of its policy, with their role. */
function setUpPicker(config) {
  const users = config.users.length ? config.users : [{ id: 'guest', role: 'viewer' }];
  const select = $('user');
  $('picker').hidden = false;
  for (const u of users)
    select.append(
      el('option', { value: u.id, 'data-role': u.role }, `${u.id} (${roleLabel(u.role)})`),
    );
  const remembered = localStorage.getItem('console-user');
  state.user = users.some((u) => u.id === remembered) ? remembered : users[0].id;
  select.value = state.user;
  const pickedRole = () =>
    showRole((users.find((u) => u.id === state.user) || {}).role || 'viewer');
  pickedRole();
  select.addEventListener('change', () => {
    state.user = select.value;
    localStorage.setItem('console-user', state.user);
    pickedRole();
    load();
  });
}

/** Signed in: who, their role, and a way out. */
function setUpSession(config) {
  state.user = config.me.id;
  state.csrf = config.csrf;
  $('me').textContent =
    config.me.name === config.me.id ? config.me.id : `${config.me.name} (${config.me.id})`;
  $('me').hidden = false;
  showRole(config.me.role);
  $('logout').hidden = false;
  $('logout').addEventListener('click', async () => {
    try {
      const r = await api('logout', {}, '/console/auth/');
      window.location.assign(r.next);
    } catch (err) {
      toast(String(err.message || err));
    }
  });
}

async function init() {
  applyStrings();
  $('lang').addEventListener('click', () => {
    state.lang = nextLang();
    localStorage.setItem('console-lang', state.lang);
    applyStrings();
  });
  const config = await api('config');
  state.mode = config.mode || 'picker';
  if (state.mode === 'picker') setUpPicker(config);
  else if (state.mode === 'oidc') setUpSession(config);
  else {
    $('read-only').hidden = false;
    $('command-form').hidden = true;
    showRole('viewer');
  }
  state.banner = config.banner;
  showBanner();
  state.scenarios = config.scenarios;
  if (config.scenarios.length) {
    for (const s of config.scenarios)
      $('scenario').append(el('option', { value: s.name }, scenarioLabel(s)));
    $('scenarios').hidden = false;
    $('raise').addEventListener('click', () =>
      asked(() => api('scenario', asUser({ scenario: $('scenario').value }))),
    );
  }
  // The reader moving through the conversation themselves: no answer holds the view any more.
  for (const kind of ['wheel', 'touchstart', 'keydown', 'mousedown'])
    $('messages').addEventListener(kind, () => (state.focus = null), { passive: true });
  $('command-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('command').value.trim();
    if (!text) return;
    $('command').value = '';
    await asked(() => api('command', asUser({ room: state.room, text })));
  });
  await load();
}

init().catch((err) => toast(t('console.startFailed', { error: err.message || err })));
