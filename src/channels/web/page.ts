/**
 * The web chat page: one self-contained HTML document (no build step, no external resources).
 * The assistant's name is the only server value in it and is HTML-escaped; message text is set
 * by the script with textContent, or rendered from Markdown through an allowlist
 * (page-markdown.ts), never parsed as HTML as it is. Scripts and style carry a CSP nonce.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PAGE_CHATS } from './page-chats.js';
import { PAGE_FILES } from './page-files.js';
import { PAGE_MARKDOWN } from './page-markdown.js';
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';
import { PAGE_WORK } from './page-work.js';

/** marked's browser build (a global `marked`), inlined so the page loads nothing else. */
export function loadMarkedBrowserBuild(): string {
  const entry = createRequire(import.meta.url).resolve('marked');
  const source = fs.readFileSync(path.join(path.dirname(entry), 'marked.umd.js'), 'utf8');
  // Inlined in a <script>: a literal "</script" in it would end the element early.
  return source.replace(/^\/\/# sourceMappingURL=.*$/m, '').replace(/<\/script/gi, '<\\/script');
}

/** For the few server values in a page (the assistant's name). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(assistantName: string, nonce: string, marked: string): string {
  const name = escapeHtml(assistantName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${name} · NanoClaw</title>
<style nonce="${nonce}">${PAGE_STYLE}</style>
</head>
<body data-assistant="${name}">
<header>
<h1>${name}</h1><span class="sub">NanoClaw · runs on this machine</span>
<a id="dashboard-link" href="/dashboard">Dashboard</a>
<span id="connection" role="status"></span>
<nav id="chats" aria-label="Chats" hidden></nav>
<div id="chats-live" class="sr-only" role="status" aria-live="polite"></div>
</header>
<div id="banner" role="alert" hidden></div>
<p id="usage" hidden></p>
<details id="tasks" hidden><summary>Scheduled tasks</summary><ul id="task-list"></ul></details>
<main id="messages" role="log" aria-live="polite" aria-label="Messages" tabindex="0"></main>
<div id="work-line"><div id="typing" aria-live="polite"></div><span id="elapsed" aria-hidden="true"></span><button id="stop" type="button" aria-label="Stop the assistant's run" hidden>Stop</button></div>
<div id="error" role="alert"></div>
<p id="chat-note" role="note" hidden></p>
<ul id="pending" aria-label="Files to send" hidden></ul>
<form id="composer">
<input id="file-input" type="file" multiple hidden>
<button id="attach" type="button" aria-label="Attach files" title="Attach files (or drop them on the page)">Attach</button>
<textarea id="input" rows="1" placeholder="Message ${name}… (Enter to send, Shift+Enter for a new line)" aria-label="Message to ${name}" autofocus></textarea>
<button id="send" type="submit">Send</button>
</form>
<script nonce="${nonce}">${marked}</script>
<script nonce="${nonce}">${PAGE_MARKDOWN}</script>
<script nonce="${nonce}">${PAGE_WORK}</script>
<script nonce="${nonce}">${PAGE_FILES}</script>
<script nonce="${nonce}">${PAGE_CHATS}</script>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>`;
}
