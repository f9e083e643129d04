/**
 * The page's Markdown rendering (browser JavaScript, after marked's browser build). The agent
 * writes Markdown; it is parsed by marked, never trusted as HTML: raw HTML in a message is shown
 * as text, images are never loaded (named instead), and only http(s) and mailto links survive.
 * The result then passes an element and attribute allowlist before it reaches the DOM, so a
 * parser bug cannot smuggle markup in either.
 */

export const PAGE_MARKDOWN = `
'use strict';
const SAFE_TAGS = new Set(['P', 'BR', 'STRONG', 'EM', 'DEL', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL',
  'OL', 'LI', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HR', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TH',
  'TD', 'A', 'INPUT']);
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');
}
function safeHref(href) {
  try {
    const url = new URL(href);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
  } catch {
    return null; // relative or malformed: not a link
  }
}
const md = new marked.Marked({ gfm: true, breaks: true, async: false });
md.use({ renderer: {
  html(token) { return escapeHtml(token.text); },
  image(token) { return escapeHtml('[image: ' + (token.text || token.href) + ']'); },
  link(token) {
    const inner = this.parser.parseInline(token.tokens);
    const href = safeHref(token.href);
    return href ? '<a href="' + escapeHtml(href) + '">' + inner + '</a>' : inner;
  },
} });
function clean(node) {
  for (const child of [...node.children]) {
    if (!SAFE_TAGS.has(child.tagName)) {
      child.replaceWith(document.createTextNode(child.textContent));
      continue;
    }
    const keep = {};
    if (child.tagName === 'A') keep.href = safeHref(child.getAttribute('href'));
    if (child.tagName === 'CODE' && /^language-[\\w+-]{1,30}$/.test(child.className)) keep.class = child.className;
    if ((child.tagName === 'TH' || child.tagName === 'TD') && /^(left|right|center)$/.test(child.getAttribute('align') || '')) keep.align = child.getAttribute('align');
    if (child.tagName === 'INPUT') {
      if (child.getAttribute('type') !== 'checkbox') { child.remove(); continue; }
      keep.type = 'checkbox';
      keep.disabled = '';
      if (child.hasAttribute('checked')) keep.checked = '';
    }
    for (const name of child.getAttributeNames()) child.removeAttribute(name);
    for (const [name, value] of Object.entries(keep)) if (value !== null) child.setAttribute(name, value);
    clean(child);
    if (child.tagName === 'A') {
      if (!child.hasAttribute('href')) child.replaceWith(...child.childNodes);
      child.target = '_blank';
      child.rel = 'noopener noreferrer nofollow';
    }
  }
}
function addCopyButtons(root) {
  for (const pre of root.querySelectorAll('pre')) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy';
    button.textContent = 'Copy';
    button.setAttribute('aria-label', 'Copy code');
    button.addEventListener('click', () => {
      navigator.clipboard.writeText(pre.querySelector('code')?.textContent ?? pre.textContent).then(
        () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy'; }, 1500); },
        () => { button.textContent = 'Copy failed'; });
    });
    pre.prepend(button);
  }
}
/** Renders Markdown into el (replacing its content). */
function renderMarkdown(el, text) {
  const template = document.createElement('template');
  template.innerHTML = md.parse(text).trim();
  clean(template.content);
  addCopyButtons(template.content);
  el.replaceChildren(template.content);
}
`;
