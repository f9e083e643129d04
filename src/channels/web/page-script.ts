/**
 * The chat page's script (plain browser JavaScript, run under the page's CSP nonce). Message text
 * reaches the DOM only through textContent or renderMarkdown (page-markdown.ts). History loads on start and after every reconnect;
 * the event stream adds messages live, de-duplicated by id and kept in (ts, id) order.
 */

export const PAGE_SCRIPT = `
'use strict';
const assistantName = document.body.dataset.assistant;
const chatId = new URLSearchParams(location.search).get('chat') || 'web:main';
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) {
  sessionStorage.setItem('nanoclaw-token', fromHash);
  history.replaceState(null, '', location.pathname + location.search);
}
const token = sessionStorage.getItem('nanoclaw-token');
const headers = token ? { authorization: 'Bearer ' + token } : {};
const chatPath = (path) => '/api/chats/' + encodeURIComponent(chatId) + path;
const $ = (id) => document.getElementById(id);
const list = $('messages'), typing = $('typing'), banner = $('banner'), errorBox = $('error');
const input = $('input'), sendButton = $('send'), connection = $('connection');
const seen = new Set();
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
let sending = false;
let retryMs = 1000;
// Follow the conversation while the reader is at the bottom; leave them alone if they scrolled up.
let pinned = true;
list.addEventListener('scroll', () => {
  pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
});
new ResizeObserver(() => { if (pinned) list.scrollTop = list.scrollHeight; }).observe(list);

async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { ...headers, ...(init && init.headers) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || 'The request failed (HTTP ' + res.status + ').');
  return body;
}
function when(ts) {
  const d = new Date(ts);
  return d.toDateString() === new Date().toDateString() ? timeFormat.format(d) : dateFormat.format(d);
}
function before(a, b) { return a.ts < b.ts || (a.ts === b.ts && a.id < b.id); }
function render(m, live) {
  if (seen.has(m.id)) return;
  seen.add(m.id);
  list.querySelector('.empty')?.remove();
  const el = document.createElement('article');
  el.className = 'msg ' + (m.fromAssistant ? 'bot' : 'me');
  el.dataset.id = m.id;
  el.dataset.ts = String(m.ts);
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = m.sender + ' · ' + when(m.ts);
  if (m.task) {
    // A scheduled task's answer: say which task, not the composite sender name.
    el.classList.add('task');
    meta.textContent = assistantName + ' · ' + when(m.ts) + ' · ';
    const label = document.createElement('span');
    label.className = 'task-label';
    label.textContent = 'Scheduled task: ' + m.task;
    meta.append(label);
  }
  const text = document.createElement('div');
  text.className = 'text';
  // The agent writes Markdown; what people type is shown as they typed it.
  const shown = textWithoutFiles(m);
  if (m.fromAssistant) renderMarkdown(text, shown);
  else text.textContent = shown;
  el.append(meta, text);
  showFiles(el, m);
  if (m.fromAssistant && live) attachSteps(el);
  else if (m.fromAssistant) showSavedSteps(el, m.steps);
  // Messages caught up after a reconnect may be older than ones already shown.
  let next = null;
  for (let node = list.lastElementChild; node && node.dataset.ts; node = node.previousElementSibling) {
    if (!before(m, { ts: Number(node.dataset.ts), id: node.dataset.id })) break;
    next = node;
  }
  list.insertBefore(el, next);
  markSeen(chatId, m.ts);
  if (pinned || !m.fromAssistant) list.scrollTop = list.scrollHeight;
}
function showEmpty() {
  if (list.children.length) return;
  const empty = document.createElement('p');
  empty.className = 'empty';
  empty.textContent = 'Say hello to start the conversation.';
  list.append(empty);
}
function showStatus(s) {
  // Setup problems first, then every channel that is not connected (and why, what to do).
  const channels = (s.channels || []).filter((c) => c.state !== 'connected');
  const problems = (s.problems || []).concat(channels.map((c) => c.name + ': ' + c.summary));
  banner.textContent = problems.join('\\n');
  // A channel waiting to be linked may carry a QR code: only a PNG data URL is shown.
  for (const c of channels) {
    const qr = c.link && c.link.qrImage;
    if (typeof qr !== 'string' || !/^data:image\\/png;base64,[A-Za-z0-9+\\/=]+$/.test(qr)) continue;
    const img = document.createElement('img');
    img.className = 'qr';
    img.alt = c.name + ' QR code';
    img.src = qr;
    banner.append(img);
  }
  banner.hidden = problems.length === 0;
  showUsage(s.usage);
}
function spent(x) {
  const t = x.tokens >= 1e6 ? (x.tokens / 1e6).toFixed(1) + 'M' : x.tokens >= 1e3 ? (x.tokens / 1e3).toFixed(1) + 'k' : String(x.tokens);
  return t + ' tokens · $' + x.usd.toFixed(2);
}
function showUsage(u) {
  const line = document.getElementById('usage');
  line.hidden = !u || u.month.tokens === 0;
  if (line.hidden) return;
  const groups = u.groups.map((g) => g.group + ' ' + spent(g.month)).join(', ');
  line.textContent = 'Usage today: ' + spent(u.today) + ' — this month: ' + spent(u.month) + (groups ? ' (' + groups + ')' : '');
}
function setTyping(on) {
  // The host repeats "on" every few seconds; announce only changes.
  if (typing.classList.contains('show') === on) return;
  typing.classList.toggle('show', on);
  typing.textContent = on ? assistantName + ' is typing…' : '';
  if (on) startWork(); else endWork();
}
function showActivity(a) {
  // The typing line says who (the lead or a team member) does what, while the agent works.
  const line = noteActivity(a);
  if (typing.classList.contains('show')) typing.textContent = (a.agent ? '' : assistantName + ': ') + line;
}
async function stopTurn() {
  errorBox.textContent = '';
  try {
    await api(chatPath('/stop'), { method: 'POST' });
  } catch (err) {
    errorBox.textContent = err.message;
  }
}
async function loadHistory() {
  const { messages } = await api(chatPath('/messages?limit=200'));
  for (const m of messages) render(m, false);
  showEmpty();
}
async function loadTasks() {
  const { tasks } = await api(chatPath('/tasks'));
  const box = $('tasks');
  box.hidden = tasks.length === 0;
  box.querySelector('summary').textContent = 'Scheduled tasks (' + tasks.length + ')';
  $('task-list').replaceChildren(...tasks.map((t) => {
    const li = document.createElement('li');
    const next = t.nextRun ? when(Date.parse(t.nextRun)) : '—';
    const runs = t.runs.map((r) => r.status).join(', ') || 'no runs yet';
    li.textContent = t.prompt + ' · ' + t.schedule.type + ' ' + t.schedule.value + ' · ' + t.status + ' · next ' + next + ' · recent: ' + runs;
    return li;
  }));
}
function listen() {
  const query = token ? '?token=' + encodeURIComponent(token) : '';
  const source = new EventSource(chatPath('/events') + query);
  watchChats(source);
  source.addEventListener('open', () => {
    retryMs = 1000;
    connection.textContent = '';
    // Catch up on whatever was stored while the stream was down.
    loadHistory().catch((err) => { errorBox.textContent = err.message; });
  });
  source.addEventListener('message', (e) => {
    const m = JSON.parse(e.data);
    render(m, true);
    if (m.fromAssistant) loadTasks().catch(() => {});
  });
  source.addEventListener('typing', (e) => setTyping(JSON.parse(e.data).on));
  source.addEventListener('activity', (e) => showActivity(JSON.parse(e.data)));
  source.addEventListener('status', (e) => showStatus(JSON.parse(e.data)));
  source.addEventListener('error', () => {
    setTyping(false);
    connection.textContent = 'Reconnecting…';
    // EventSource retries by itself unless it gave up (closed): then retry here, backing off.
    if (source.readyState === EventSource.CLOSED) {
      setTimeout(listen, retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    }
  });
}
async function send() {
  const text = input.value;
  const files = uploadBody(text);
  if (sending || input.disabled || (!text.trim() && !files)) return;
  sending = true;
  sendButton.disabled = true;
  errorBox.textContent = '';
  try {
    // With files: multipart (the browser sets its boundary); else JSON.
    await api(chatPath('/messages'), files ? { method: 'POST', body: files } : {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
    input.value = '';
    saveDraft(chatId, '');
    clearUploads();
    fit();
  } catch (err) {
    errorBox.textContent = err instanceof TypeError ? 'NanoClaw is not reachable. Is it still running?' : err.message;
  } finally {
    sending = false;
    sendButton.disabled = false;
    input.focus();
  }
}
function fit() {
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight + 2, 200) + 'px';
}
$('stop').addEventListener('click', stopTurn);
$('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
});
input.addEventListener('input', fit);
setupFiles();
setupChats();
fit();
loadChats().catch(() => {});
loadTasks().catch(() => {});
loadHistory().then(listen, (err) => { errorBox.textContent = 'Could not load the chat: ' + err.message; });
`;
