/**
 * The web chat page: one self-contained HTML document (no build step, no external resources).
 * Message text is only ever set with textContent, never parsed as HTML. Scripts and styles run
 * under a per-response CSP nonce.
 */

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
:root { color-scheme: light dark; --bg:#f6f7f9; --panel:#fff; --text:#1d2330; --muted:#6b7280;
  --me:#2f6fed; --me-text:#fff; --bot:#eceff3; --warn:#fff4d6; --warn-text:#6b4e00; --line:#e3e6ea; }
@media (prefers-color-scheme: dark) { :root { --bg:#14161a; --panel:#1c1f24; --text:#e7e9ee;
  --muted:#9aa3af; --me:#3b74e8; --bot:#2a2e35; --warn:#3a3118; --warn-text:#f3d27a; --line:#2c3036; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg);
  color:var(--text); height:100vh; display:flex; flex-direction:column; }
header { padding:12px 20px; background:var(--panel); border-bottom:1px solid var(--line); display:flex;
  align-items:baseline; gap:10px; }
header h1 { font-size:17px; margin:0; }
header .sub { color:var(--muted); font-size:13px; }
#banner { display:none; margin:12px 20px 0; padding:10px 14px; border-radius:8px; background:var(--warn);
  color:var(--warn-text); font-size:14px; white-space:pre-wrap; }
#banner.show { display:block; }
main { flex:1; overflow-y:auto; padding:16px 20px; display:flex; flex-direction:column; gap:8px; }
.msg { max-width:min(720px,80%); padding:8px 12px; border-radius:14px; white-space:pre-wrap;
  overflow-wrap:anywhere; }
.msg.me { align-self:flex-end; background:var(--me); color:var(--me-text); border-bottom-right-radius:4px; }
.msg.bot { align-self:flex-start; background:var(--bot); border-bottom-left-radius:4px; }
.meta { font-size:11px; opacity:.7; margin-bottom:2px; }
#typing { color:var(--muted); font-size:13px; padding:0 20px 6px; min-height:20px; visibility:hidden; }
#typing.show { visibility:visible; }
form { display:flex; gap:8px; padding:12px 20px 16px; background:var(--panel); border-top:1px solid var(--line); }
textarea { flex:1; resize:none; font:inherit; padding:9px 12px; border-radius:10px; border:1px solid var(--line);
  background:var(--bg); color:var(--text); min-height:42px; max-height:200px; }
button { font:inherit; padding:0 18px; border:0; border-radius:10px; background:var(--me); color:#fff; cursor:pointer; }
button:disabled { opacity:.5; cursor:default; }
#tasks { margin:8px 20px 0; font-size:13px; color:var(--muted); }
#tasks summary { cursor:pointer; }
#tasks ul { margin:6px 0; padding-left:18px; }
#tasks li { margin:2px 0; }
#error { color:#d33; font-size:13px; padding:0 20px; min-height:0; }
.empty { color:var(--muted); text-align:center; margin-top:20vh; }
`;

const SCRIPT = `
const chatId = new URLSearchParams(location.search).get('chat') || 'web:main';
const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromHash) { sessionStorage.setItem('nanoclaw-token', fromHash); history.replaceState(null, '', location.pathname + location.search); }
const token = sessionStorage.getItem('nanoclaw-token');
const api = (path) => '/api/chats/' + encodeURIComponent(chatId) + path;
const headers = token ? { authorization: 'Bearer ' + token } : {};
const list = document.getElementById('messages');
const typing = document.getElementById('typing');
const banner = document.getElementById('banner');
const errorBox = document.getElementById('error');
const input = document.getElementById('input');
const sendButton = document.getElementById('send');
const seen = new Set();
const fmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function render(m) {
  if (seen.has(m.id)) return;
  seen.add(m.id);
  list.querySelector('.empty')?.remove();
  const el = document.createElement('div');
  el.className = 'msg ' + (m.fromAssistant ? 'bot' : 'me');
  el.dataset.id = m.id;
  const meta = document.createElement('div');
  meta.className = 'meta';
  meta.textContent = m.sender + ' · ' + fmt.format(new Date(m.ts));
  const body = document.createElement('div');
  body.className = 'text';
  body.textContent = m.text;
  el.append(meta, body);
  list.append(el);
  list.scrollTop = list.scrollHeight;
}
async function loadTasks() {
  const res = await fetch(api('/tasks'), { headers });
  if (!res.ok) return;
  const { tasks } = await res.json();
  const box = document.getElementById('tasks');
  const ul = document.getElementById('task-list');
  box.hidden = tasks.length === 0;
  box.querySelector('summary').textContent = 'Scheduled tasks (' + tasks.length + ')';
  ul.replaceChildren(...tasks.map((t) => {
    const li = document.createElement('li');
    const next = t.nextRun ? fmt.format(new Date(t.nextRun)) + ' ' + new Date(t.nextRun).toLocaleDateString() : '—';
    const runs = t.runs.map((r) => r.status).join(', ') || 'no runs yet';
    li.textContent = t.prompt + ' · ' + t.schedule.type + ' ' + t.schedule.value + ' · ' + t.status + ' · next ' + next + ' · recent: ' + runs;
    return li;
  }));
}
function showStatus(s) {
  banner.textContent = (s.problems || []).join('\\n');
  banner.classList.toggle('show', (s.problems || []).length > 0);
}
async function load() {
  const res = await fetch(api('/messages?limit=200'), { headers });
  if (!res.ok) { errorBox.textContent = (await res.json()).error || 'Could not load the chat.'; return; }
  const { messages } = await res.json();
  if (messages.length === 0 && !list.children.length) {
    const empty = document.createElement('p'); empty.className = 'empty';
    empty.textContent = 'Say hello to start the conversation.'; list.append(empty);
  }
  messages.forEach(render);
}
function listen() {
  const source = new EventSource(api('/events') + (token ? '?token=' + encodeURIComponent(token) : ''));
  source.addEventListener('message', (e) => { const m = JSON.parse(e.data); render(m); if (m.fromAssistant) loadTasks().catch(() => {}); });
  source.addEventListener('typing', (e) => typing.classList.toggle('show', JSON.parse(e.data).on));
  source.addEventListener('status', (e) => showStatus(JSON.parse(e.data)));
  source.onerror = () => { typing.classList.remove('show'); };
  source.onopen = () => load().catch(() => {});
}
async function send() {
  const text = input.value;
  if (!text.trim()) return;
  sendButton.disabled = true; errorBox.textContent = '';
  try {
    const res = await fetch(api('/messages'), { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    if (!res.ok) { errorBox.textContent = (await res.json()).error || ('Sending failed (HTTP ' + res.status + ').'); return; }
    input.value = '';
  } catch (err) { errorBox.textContent = 'NanoClaw is not reachable. Is it still running?'; }
  finally { sendButton.disabled = false; input.focus(); }
}
document.getElementById('composer').addEventListener('submit', (e) => { e.preventDefault(); send(); });
input.addEventListener('keydown', (e) => { if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); send(); } });
loadTasks().catch(() => {});
load().then(listen, (err) => { errorBox.textContent = 'Could not load the chat: ' + err.message; });
`;

export function renderPage(assistantName: string, nonce: string): string {
  const name = escapeHtml(assistantName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} · NanoClaw</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>${name}</h1><span class="sub">NanoClaw · runs on this machine</span></header>
<div id="banner" role="alert"></div>
<details id="tasks" hidden><summary>Scheduled tasks</summary><ul id="task-list"></ul></details>
<main id="messages" aria-live="polite"></main>
<div id="typing" aria-live="polite">${name} is typing…</div>
<div id="error" role="status"></div>
<form id="composer">
<textarea id="input" rows="1" placeholder="Message ${name}… (Enter to send, Shift+Enter for a new line)" aria-label="Message" autofocus></textarea>
<button id="send" type="submit">Send</button>
</form>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
