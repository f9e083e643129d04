/** The chat page's stylesheet: system fonts only, light and dark from prefers-color-scheme. */

/** Colours (light and dark) and the base font, shared by the chat and the dashboard. */
export const THEME_STYLE = `
:root { color-scheme: light dark; --bg:#f6f7f9; --panel:#fff; --text:#1d2330; --muted:#5f6875;
  --me:#2559c9; --me-text:#fff; --bot:#e9ecf1; --warn:#fff4d6; --warn-text:#5c4300; --warn-line:#f0d58a;
  --line:#e3e6ea; --error:#b42318; --focus:#2f6fed; --code:#f3f4f7; --link:#1f5bd6;
  --danger:#b42318; --danger-text:#fff; }
@media (prefers-color-scheme: dark) { :root { --bg:#14161a; --panel:#1c1f24; --text:#e7e9ee;
  --muted:#a3acb8; --me:#2f5fc4; --bot:#2a2e35; --warn:#3a3118; --warn-text:#f3d27a; --warn-line:#6b5724;
  --line:#2c3036; --error:#ff8a80; --focus:#7aa2ff; --code:#16181c; --link:#8fb1ff;
  --danger:#c62828; --danger-text:#fff; } }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
  background:var(--bg); color:var(--text); }
`;

export const PAGE_STYLE = `${THEME_STYLE}
html, body { height:100%; }
body { display:flex; flex-direction:column; }
header { padding:10px 20px; background:var(--panel); border-bottom:1px solid var(--line);
  display:flex; flex-wrap:wrap; align-items:baseline; gap:4px 12px; }
header h1 { font-size:17px; margin:0; }
header .sub { color:var(--muted); font-size:13px; }
#dashboard-link { color:var(--link); font-size:13px; margin-left:auto; }
#connection { color:var(--muted); font-size:13px; }
nav { display:flex; gap:6px; flex-wrap:wrap; width:100%; }
nav[hidden] { display:none; }
nav a { font-size:13px; color:var(--text); text-decoration:none; padding:3px 10px;
  border-radius:999px; border:1px solid var(--line); }
nav a[aria-current="page"] { background:var(--me); border-color:var(--me); color:var(--me-text); }
nav a .channel { font-size:11px; opacity:.8; margin-left:6px; }
nav a .unread { display:inline-block; min-width:18px; margin-left:6px; padding:0 5px; border-radius:999px;
  background:var(--text); color:var(--bg); font-size:11px; font-weight:700; text-align:center; }
/* Read by screen readers, not shown (the unread announcements). */
.sr-only { position:absolute; width:1px; height:1px; overflow:hidden; clip-path:inset(50%); white-space:nowrap; }
#chat-note { margin:0; padding:6px 20px; font-size:13px; color:var(--muted); background:var(--panel);
  border-top:1px solid var(--line); }
#chat-note[hidden] { display:none; }
.msg.task .task-label { font-weight:600; }
textarea:disabled { opacity:.6; }
#banner { margin:12px 20px 0; padding:10px 14px; border-radius:8px; background:var(--warn);
  color:var(--warn-text); border:1px solid var(--warn-line); font-size:14px; white-space:pre-wrap; }
#banner[hidden] { display:none; }
#usage { margin:8px 20px 0; font-size:13px; color:var(--muted); }
#usage[hidden] { display:none; }
#banner img.qr { display:block; width:264px; height:264px; margin-top:8px; background:#fff;
  image-rendering:pixelated; }
#tasks { margin:8px 20px 0; font-size:13px; color:var(--muted); }
#tasks summary { cursor:pointer; }
#tasks ul { margin:6px 0; padding-left:18px; }
#tasks li { margin:2px 0; }
#messages { flex:1; overflow-y:auto; padding:16px 20px; display:flex; flex-direction:column; gap:8px; }
#messages:focus-visible { outline:2px solid var(--focus); outline-offset:-2px; }
.msg { max-width:min(720px,80%); padding:8px 12px; border-radius:14px; }
.msg.me { align-self:flex-end; background:var(--me); color:var(--me-text); border-bottom-right-radius:4px; }
.msg.bot { align-self:flex-start; background:var(--bot); border-bottom-left-radius:4px; }
.msg .meta { font-size:12px; opacity:.9; margin-bottom:2px; }
.msg.me .meta { opacity:1; }
.msg .text { white-space:pre-wrap; overflow-wrap:anywhere; }
.msg.bot .text { white-space:normal; }
.msg.bot .text > :first-child { margin-top:0; } .msg.bot .text > :last-child { margin-bottom:0; }
.msg.bot .text p, .msg.bot .text ul, .msg.bot .text ol, .msg.bot .text pre,
  .msg.bot .text blockquote, .msg.bot .text table { margin:6px 0; }
.msg.bot .text h1, .msg.bot .text h2, .msg.bot .text h3 { font-size:1.08em; margin:10px 0 4px; }
.msg.bot .text ul, .msg.bot .text ol { padding-left:22px; }
.msg.bot .text a { color:var(--link); }
.msg.bot .text code { font:13px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
  background:var(--code); padding:1px 4px; border-radius:4px; }
.msg.bot .text pre { position:relative; background:var(--code); padding:10px 12px; border-radius:8px;
  overflow-x:auto; white-space:pre; }
.msg.bot .text pre code { background:none; padding:0; }
.msg.bot .text pre .copy { position:absolute; top:4px; right:4px; font-size:12px; padding:2px 8px;
  height:auto; background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:6px; }
.msg.bot .text blockquote { border-left:3px solid var(--line); margin-left:0; padding-left:10px; color:var(--muted); }
.msg.bot .text table { border-collapse:collapse; display:block; overflow-x:auto; }
.msg.bot .text th, .msg.bot .text td { border:1px solid var(--line); padding:4px 8px; }
.empty { color:var(--muted); text-align:center; margin:auto; }
#work-line { display:flex; align-items:center; gap:10px; padding:0 20px 6px; min-height:25px;
  color:var(--muted); font-size:13px; }
#typing { flex:1; min-height:18px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; min-width:0; }
#elapsed { font-variant-numeric:tabular-nums; }
#stop { padding:2px 12px; font-size:13px; background:var(--danger); color:var(--danger-text); }
#stop[hidden] { display:none; }
.msg.draft { opacity:.8; }
.msg .steps { font-size:12px; color:var(--muted); margin-bottom:4px; }
.msg .steps summary { cursor:pointer; }
.msg .steps ol { margin:4px 0; padding-left:20px; }
#pending { display:flex; flex-wrap:wrap; gap:6px; margin:0; padding:6px 20px 0; list-style:none; background:var(--panel); }
#pending[hidden] { display:none; }
#pending li { display:flex; align-items:center; gap:4px; font-size:13px; padding:2px 4px 2px 10px;
  border:1px solid var(--line); border-radius:999px; }
#pending .remove { padding:0 8px; height:22px; background:transparent; color:var(--text); }
#attach { background:var(--bot); color:var(--text); padding:0 12px; }
.msg .files { list-style:none; margin:6px 0 0; padding:0; font-size:13px; }
.msg .files li { margin:2px 0; }
.msg .files a { color:inherit; font-weight:600; }
.msg .files .size { opacity:.8; }
body.dropping #messages { outline:3px dashed var(--focus); outline-offset:-8px; }
#error { color:var(--error); font-size:13px; padding:0 20px 6px; }
#error:empty { display:none; }
form { display:flex; gap:8px; padding:12px 20px 16px; background:var(--panel); border-top:1px solid var(--line); }
textarea { flex:1; resize:none; font:inherit; padding:9px 12px; border-radius:10px;
  border:1px solid var(--line); background:var(--bg); color:var(--text); height:42px; max-height:200px; }
textarea:focus-visible, button:focus-visible, a:focus-visible, summary:focus-visible {
  outline:2px solid var(--focus); outline-offset:1px; }
button { font:inherit; padding:0 18px; border:0; border-radius:10px; background:var(--me);
  color:var(--me-text); cursor:pointer; }
button:disabled { opacity:.55; cursor:default; }
@media (max-width: 480px) {
  header { padding:8px 12px; } header .sub { display:none; }
  #messages { padding:12px; } .msg { max-width:88%; }
  form { padding:8px 12px 12px; gap:6px; } button { padding:0 12px; }
  #work-line, #error, #chat-note, #pending { padding-left:12px; padding-right:12px; }
  #banner, #usage, #tasks { margin-left:12px; margin-right:12px; }
}
`;
