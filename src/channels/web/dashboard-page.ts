/**
 * The dashboard page: the whole assistant at a glance (channels and their health, groups with
 * their policies, live runs with Stop, tasks, the audit trail with filters, usage). One
 * self-contained document like the chat page: data comes from GET /api/dashboard and
 * /api/audit, and reaches the DOM only through textContent. Refreshes every few seconds.
 */
import { escapeHtml } from './page.js';
import { THEME_STYLE } from './page-style.js';

const STYLE = `${THEME_STYLE}
header { padding:10px 20px; background:var(--panel); border-bottom:1px solid var(--line);
  display:flex; flex-wrap:wrap; align-items:baseline; gap:4px 16px; }
header h1 { font-size:17px; margin:0; }
header a { color:var(--link); font-size:14px; }
#updated { color:var(--muted); font-size:13px; margin-left:auto; }
main { padding:12px 20px 32px; display:grid; gap:16px; grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr)); }
section { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:12px 16px; min-width:0; }
section.wide { grid-column:1/-1; }
h2 { font-size:15px; margin:0 0 8px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
.scroll { overflow-x:auto; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; }
.state { display:inline-block; padding:1px 8px; border-radius:999px; font-size:12px; border:1px solid var(--line); }
.state.connected, .state.ok, .state.success, .state.active { color:#137333; border-color:#137333; }
.state.failed, .state.error, .state.denied { color:var(--error); border-color:var(--error); }
.muted, .empty { color:var(--muted); }
.reason { color:var(--error); }
.elapsed { font-variant-numeric:tabular-nums; }
#problems { margin:12px 20px 0; padding:10px 14px; border-radius:8px; background:var(--warn);
  color:var(--warn-text); border:1px solid var(--warn-line); font-size:14px; }
#problems[hidden] { display:none; }
#problems ul { margin:0; padding-left:18px; }
button { font:inherit; font-size:13px; padding:2px 12px; border:0; border-radius:8px; cursor:pointer;
  background:var(--error); color:#fff; }
form { display:flex; flex-wrap:wrap; gap:8px; margin-bottom:8px; font-size:13px; }
select, input { font:inherit; font-size:13px; padding:3px 6px; border-radius:6px; border:1px solid var(--line);
  background:var(--bg); color:var(--text); }
:focus-visible { outline:2px solid var(--focus); outline-offset:1px; }
#error { color:var(--error); padding:0 20px; }
button.filter { background:var(--me); }
h3 { font-size:13px; color:var(--muted); margin:10px 0 4px; }
.chart { display:grid; gap:3px; font-size:12px; }
.bar-row { display:grid; grid-template-columns:90px 1fr 150px; gap:8px; align-items:center; }
.bar { height:12px; background:var(--me); border-radius:3px; }
.bar-value { color:var(--muted); font-variant-numeric:tabular-nums; }
`;

const SCRIPT = `
'use strict';
const token = sessionStorage.getItem('nanoclaw-token');
const headers = token ? { authorization: 'Bearer ' + token } : {};
const $ = (id) => document.getElementById(id);
const when = (ms) => ms ? new Date(ms).toLocaleString() : '—';
async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { ...headers, ...(init && init.headers) } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error || 'The request failed (HTTP ' + res.status + ').');
  return body;
}
function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}
function state(text) { return el('span', text, 'state ' + String(text).replace(/[^a-z-]/g, '')); }
function table(id, columns, rows, empty) {
  const box = $(id);
  if (!rows.length) { box.replaceChildren(el('p', empty, 'empty')); return; }
  const t = el('table');
  const head = el('tr');
  for (const c of columns) head.append(el('th', c));
  t.append(head);
  for (const cells of rows) {
    const tr = el('tr');
    for (const c of cells) { const td = el('td'); td.append(c instanceof Node ? c : document.createTextNode(c ?? '—')); tr.append(td); }
    t.append(tr);
  }
  box.replaceChildren(t);
}
function schedule(s) {
  if (s.type !== 'interval') return s.type + ' ' + s.value;
  const ms = Number(s.value);
  const units = [[86400000, 'd'], [3600000, 'h'], [60000, 'min'], [1000, 's']];
  const [size, unit] = units.find(([u]) => ms % u === 0) || [1, 'ms'];
  return 'every ' + ms / size + ' ' + unit;
}
function senders(p) { return p ? (p.allow === 'all' ? 'anyone' : Array.isArray(p.allow) ? p.allow.length + ' allowed' : p.allow) + (p.mode === 'drop' ? ', others dropped' : '') : '—'; }
function egress(p) { return p ? p.mode + (p.allow && p.allow.length ? ' + ' + p.allow.join(', ') : '') : '—'; }
function mounts(list) { return list.length ? list.map((m) => m.name + (m.readWrite ? ' (rw)' : ' (ro)')).join(', ') : 'none'; }
function model(m) { return (m.id || 'SDK default') + (m.source === 'default' ? ' (default)' : '') + (m.effort ? ', effort ' + m.effort : ''); }
let clockSkew = 0;
function elapsedText(startedAt) {
  const s = Math.max(0, Math.round((Date.now() + clockSkew - startedAt) / 1000));
  return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}
function tickElapsed() { for (const e of document.querySelectorAll('#runs .elapsed[data-started]')) e.textContent = elapsedText(Number(e.dataset.started)); }
/** The status, and why a task is paused (a failing pre-check, a request, …). */
function taskState(t) {
  const box = el('span');
  box.append(state(t.status));
  if (t.pausedReason) box.append(' ', el('span', t.pausedReason, 'muted'));
  return box;
}
/** The last run: when, how it ended, and its error's reason or the start of its result. */
function lastResult(r) {
  if (!r) return 'no runs yet';
  const box = el('span');
  box.append(state(r.status), ' ' + when(Date.parse(r.startedAt)));
  const detail = r.error || (r.result ? r.result.slice(0, 160) : '');
  if (detail) box.append(el('div', detail, r.error ? 'reason' : 'muted'));
  return box;
}
async function stop(group, button) {
  button.disabled = true;
  try { await api('/api/runs/stop', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ group }) }); }
  catch (err) { $('error').textContent = err.message; }
  refresh();
}
function render(d) {
  $('updated').textContent = (d.running ? 'running' : 'stopped') + (d.host ? ' · pid ' + d.host.pid + ' · ' + d.host.runtime + ' · ' + d.host.version : '') + ' · updated ' + new Date().toLocaleTimeString();
  $('problems').hidden = d.problems.length === 0;
  $('problem-list').replaceChildren(...d.problems.map((p) => el('li', p)));
  table('channels', ['Channel', 'State', 'Details'], d.channels.map((c) => [c.name, state(c.state), c.summary]), 'No channels.');
  table('groups', ['Group', 'Chats', 'Wakes on', 'Senders', 'Egress', 'Mounts', 'Model', 'Usage (this month)', 'Last activity'], d.groups.map((g) => [
    g.name + (g.isMain ? ' (main)' : ''), g.chats.join(', ') || 'none', g.requiresTrigger ? (g.trigger || 'the trigger word') : 'every message',
    senders(g.senders), egress(g.egress), mounts(g.mounts), model(g.model),
    tokens(g.usage.month.tokens) + ' tokens · ' + money(g.usage.month.usd), when(g.lastActivity)]), 'No groups.');
  // The host's clock, not the browser's, dates the runs (the page may be on another machine).
  clockSkew = d.now - Date.now();
  const live = d.groups.flatMap((g) => g.liveRuns.map((r) => ({ g, r })));
  table('runs', ['Group', 'Kind', 'Answers', 'Runtime', 'Elapsed', 'Run', ''], live.map(({ g, r }) => {
    const b = el('button', 'Stop');
    b.setAttribute('aria-label', 'Stop the run of ' + g.name);
    b.addEventListener('click', () => stop(g.folder, b));
    const elapsed = el('span', '—', 'elapsed');
    if (r.startedAt) { elapsed.dataset.started = String(r.startedAt); elapsed.textContent = elapsedText(r.startedAt); }
    return [g.name, r.kind, r.chatId || (r.taskId ? 'task ' + r.taskId : '—'), r.runtime || '—', elapsed, r.runId || '—', r.kind === 'chat' ? b : ''];
  }), 'Nothing is running.');
  table('tasks', ['Group', 'Task', 'Schedule', 'Status', 'Next run', 'Last result'], d.tasks.map((t) => [
    t.group, t.prompt.slice(0, 80), schedule(t.schedule), taskState(t),
    t.nextRun && t.status === 'active' ? when(Date.parse(t.nextRun)) : '—', lastResult(t.lastRun)]), 'No scheduled tasks.');
  renderUsage(d.usage);
  const filter = $('audit-group');
  if (filter.options.length === 1) for (const g of d.groups) filter.append(new Option(g.name, g.folder));
}
const money = (usd) => '$' + usd.toFixed(usd >= 100 ? 0 : 2);
const tokens = (n) => n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e3 ? (n / 1e3).toFixed(1) + 'k' : String(n);
/** Bars as plain elements with their figure as text (read by screen readers too). */
function bars(id, rows, empty) {
  const box = $(id);
  const max = Math.max(0, ...rows.map((r) => r.tokens));
  if (!max) { box.replaceChildren(el('p', empty, 'empty')); return; }
  box.replaceChildren(...rows.map((r) => {
    const row = el('div', undefined, 'bar-row');
    const bar = el('div', undefined, 'bar');
    bar.style.width = Math.max(1, Math.round((r.tokens / max) * 100)) + '%';
    row.append(el('span', r.label, 'bar-label'), bar, el('span', tokens(r.tokens) + ' tokens · ' + money(r.usd), 'bar-value'));
    return row;
  }));
}
function renderUsage(u) {
  $('usage-totals').textContent = 'Today ' + tokens(u.today.tokens) + ' tokens · ' + money(u.today.usd) + ' — this month ' + tokens(u.month.tokens) + ' tokens · ' + money(u.month.usd) + ' (UTC; cost from the price table, see docs/USAGE.md)';
  bars('usage-days', u.days.map((d) => ({ label: d.day, tokens: d.tokens, usd: d.usd })), 'No model use in the last 30 days.');
  bars('usage-groups', u.groups.map((g) => ({ label: g.group, tokens: g.month.tokens, usd: g.month.usd })), 'No model use this month.');
}
async function loadAudit() {
  const q = new URLSearchParams();
  for (const [k, id] of [['group', 'audit-group'], ['kind', 'audit-kind'], ['decision', 'audit-decision']]) if ($(id).value) q.set(k, $(id).value.trim());
  q.set('limit', '100');
  try {
    const { entries } = await api('/api/audit?' + q);
    table('audit', ['When', 'Group', 'Kind', 'Action', 'Decision', 'Detail'], entries.map((e) => [
      when(e.ts), e.group, e.kind, e.action, state(e.decision), e.detail ? JSON.stringify(e.detail).slice(0, 160) : '']), 'No audit entries match.');
  } catch (err) { $('error').textContent = err.message; }
}
async function refresh() {
  try { render(await api('/api/dashboard')); $('error').textContent = ''; }
  catch (err) { $('error').textContent = err instanceof TypeError && /fetch/i.test(err.message) ? 'NanoClaw is not reachable. Is it still running?' : err.message; }
}
$('audit-filters').addEventListener('submit', (e) => { e.preventDefault(); loadAudit(); });
refresh().then(loadAudit);
setInterval(refresh, 5000);
setInterval(tickElapsed, 1000);
`;

/** The dashboard document; `marked` is unused here (same signature as the chat page). */
export function renderDashboard(assistantName: string, nonce: string, _marked: string): string {
  const name = escapeHtml(assistantName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Dashboard · ${name} · NanoClaw</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<header><h1>${name} · Dashboard</h1><a href="/">Back to the chat</a><span id="updated" role="status"></span></header>
<div id="problems" role="alert" hidden><strong>To fix</strong><ul id="problem-list"></ul></div>
<div id="error" role="alert"></div>
<main>
<section aria-labelledby="h-channels"><h2 id="h-channels">Channels</h2><div id="channels" class="scroll"></div></section>
<section aria-labelledby="h-runs"><h2 id="h-runs">Live runs</h2><div id="runs" class="scroll"></div></section>
<section class="wide" aria-labelledby="h-groups"><h2 id="h-groups">Groups and their policies</h2><div id="groups" class="scroll"></div></section>
<section class="wide" aria-labelledby="h-tasks"><h2 id="h-tasks">Scheduled tasks</h2><div id="tasks" class="scroll"></div></section>
<section class="wide" aria-labelledby="h-usage"><h2 id="h-usage">Usage</h2><p id="usage-totals"></p>
<h3>Per day (last 30 days)</h3><div id="usage-days" class="chart"></div>
<h3>Per group (this month)</h3><div id="usage-groups" class="chart"></div></section>
<section class="wide" aria-labelledby="h-audit"><h2 id="h-audit">Audit trail</h2>
<form id="audit-filters" aria-label="Filter the audit trail">
<label>Group <select id="audit-group"><option value="">all</option></select></label>
<label>Kind <select id="audit-kind"><option value="">all</option><option>sandbox</option><option>host_api</option><option>egress</option></select></label>
<label>Decision <input id="audit-decision" size="10" placeholder="e.g. denied"></label>
<button type="submit" class="filter">Filter</button>
</form>
<div id="audit" class="scroll"></div></section>
</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
