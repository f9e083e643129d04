/**
 * The web chat page: one self-contained HTML document (no build step, no external resources).
 * The assistant's name is the only server value in it and is HTML-escaped; message text is set
 * by the script with textContent, never parsed as HTML. Script and style carry a CSP nonce.
 */
import { PAGE_SCRIPT } from './page-script.js';
import { PAGE_STYLE } from './page-style.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderPage(assistantName: string, nonce: string): string {
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
<span id="connection" role="status"></span>
<nav id="chats" aria-label="Chats" hidden></nav>
</header>
<div id="banner" role="alert" hidden></div>
<p id="usage" hidden></p>
<details id="tasks" hidden><summary>Scheduled tasks</summary><ul id="task-list"></ul></details>
<main id="messages" role="log" aria-live="polite" aria-label="Messages" tabindex="0"></main>
<div id="typing" aria-live="polite"></div>
<div id="error" role="alert"></div>
<form id="composer">
<textarea id="input" rows="1" placeholder="Message ${name}… (Enter to send, Shift+Enter for a new line)" aria-label="Message to ${name}" autofocus></textarea>
<button id="send" type="submit">Send</button>
</form>
<script nonce="${nonce}">${PAGE_SCRIPT}</script>
</body>
</html>`;
}
