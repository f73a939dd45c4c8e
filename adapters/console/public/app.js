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
  for (const m of state.messages.values()) upsert(m);
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

function showPrivate(p) {
  if (!p) return;
  const code = (p.code || []).map((c) => c.body).join('\n');
  toast(code ? `${p.text}\n${code}` : p.text);
}

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
  try {
    const r = await api('action', body);
    showPrivate(r.private);
  } catch (err) {
    toast(String(err.message || err));
  }
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

function renderStep(s, messageId) {
  return el(
    'li',
    { 'data-step': s.id, 'data-state': s.state },
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
    buttons(s.actions, messageId),
    s.steps && s.steps.length
      ? el(
          'ol',
          { class: 'steps' },
          s.steps.map((x) => renderStep(x, messageId)),
        )
      : null,
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
    card.requests && card.requests.length
      ? el(
          'div',
          { class: 'requests' },
          card.requests.map((r) =>
            el(
              'div',
              { class: 'request', 'data-request': r.id, 'data-state': r.state },
              el('strong', {}, `${r.title} (${r.risk})`),
              el('div', { class: 'status' }, r.stateLabel),
              el('pre', {}, r.command),
              r.lines.map((l) => el('div', { class: 'note' }, l)),
              buttons(r.actions, messageId),
            ),
          ),
        )
      : null,
    card.steps && card.steps.length
      ? el(
          'ol',
          { class: 'steps' },
          card.steps.map((s) => renderStep(s, messageId)),
        )
      : null,
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
  const node = el(
    'article',
    { class: `msg${m.visibleTo ? ' private' : ''}`, id: `m-${m.id}`, 'data-message': m.id },
    el(
      'div',
      { class: 'meta' },
      `${new Date(m.at).toLocaleTimeString()}${m.visibleTo ? ` · ${t('console.onlyYou')}` : ''}`,
    ),
    m.card ? renderCard(m.card, m.id) : null,
    !m.card && m.reply ? [el('div', {}, m.reply.text), codeBlocks(m.reply.code)] : null,
    m.thread && m.thread.length
      ? el(
          'div',
          { class: 'thread' },
          m.thread.map((t) =>
            el('div', { class: 'reply' }, el('div', {}, t.reply.text), codeBlocks(t.reply.code)),
          ),
        )
      : null,
  );
  return node;
}

function upsert(m) {
  state.messages.set(m.id, m);
  const old = document.getElementById(`m-${m.id}`);
  const fresh = renderMessage(m);
  const main = $('messages');
  if (old) old.replaceWith(fresh);
  else {
    const atBottom = main.scrollHeight - main.scrollTop - main.clientHeight < 80;
    main.append(fresh);
    if (atBottom) main.scrollTop = main.scrollHeight;
  }
}

async function load() {
  $('messages').textContent = '';
  state.messages.clear();
  const who = state.mode === 'picker' ? `&user=${encodeURIComponent(state.user)}` : '';
  const { from, messages } = await api(`messages?room=${state.room}${who}`);
  messages.forEach(upsert);
  if (state.source) state.source.close();
  state.source = new EventSource(
    `/console/api/stream?room=${state.room}${who}&from=${encodeURIComponent(from)}`,
  );
  state.source.addEventListener('message', (e) => upsert(JSON.parse(e.data)));
  // The server ends the stream when the session ends; the next request then signs in again.
  state.source.addEventListener('error', () => {
    if (state.source.readyState === EventSource.CLOSED) api('config').catch(() => undefined);
  });
}

/** The demo's picker: every console user of its policy, with their role. */
function setUpPicker(config) {
  const users = config.users.length ? config.users : [{ id: 'guest', role: 'viewer' }];
  const select = $('user');
  $('picker').hidden = false;
  for (const u of users) select.append(el('option', { value: u.id }, `${u.id} (${u.role})`));
  const remembered = localStorage.getItem('console-user');
  state.user = users.some((u) => u.id === remembered) ? remembered : users[0].id;
  select.value = state.user;
  const showRole = () =>
    ($('role').textContent = (users.find((u) => u.id === state.user) || {}).role || 'viewer');
  showRole();
  select.addEventListener('change', () => {
    state.user = select.value;
    localStorage.setItem('console-user', state.user);
    showRole();
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
  $('role').textContent = config.me.role;
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
    $('role').textContent = 'viewer';
  }
  state.banner = config.banner;
  showBanner();
  state.scenarios = config.scenarios;
  if (config.scenarios.length) {
    for (const s of config.scenarios)
      $('scenario').append(el('option', { value: s.name }, scenarioLabel(s)));
    $('scenarios').hidden = false;
    $('raise').addEventListener('click', async () => {
      try {
        const r = await api('scenario', asUser({ scenario: $('scenario').value }));
        showPrivate(r.private);
      } catch (err) {
        toast(String(err.message || err));
      }
    });
  }
  $('command-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = $('command').value.trim();
    if (!text) return;
    $('command').value = '';
    try {
      const r = await api('command', asUser({ room: state.room, text }));
      showPrivate(r.private);
    } catch (err) {
      toast(String(err.message || err));
    }
  });
  await load();
}

init().catch((err) => toast(t('console.startFailed', { error: err.message || err })));
