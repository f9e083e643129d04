/**
 * The page's files (browser JavaScript, loaded before the main script): files picked with the
 * Attach button or dropped on the page wait as removable chips and go with the next message
 * (multipart, POST …/messages); a message's files show as download links. A download needs the
 * token when one is set, which a plain link cannot carry: it is fetched and saved from a blob.
 * Names are set with textContent; nothing downloaded is ever shown inline.
 */

export const PAGE_FILES = `
'use strict';
const uploads = { files: [] };
function sizeText(n) {
  return n >= 1048576 ? (n / 1048576).toFixed(1) + ' MB' : n >= 1024 ? Math.round(n / 1024) + ' KB' : n + ' bytes';
}
function addFiles(list) {
  for (const f of list) uploads.files.push(f);
  renderPending();
}
function renderPending() {
  const box = document.getElementById('pending');
  box.hidden = uploads.files.length === 0;
  box.replaceChildren(...uploads.files.map((f, i) => {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = f.name + ' (' + sizeText(f.size) + ')';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.className = 'remove';
    remove.textContent = '×';
    remove.setAttribute('aria-label', 'Remove ' + f.name);
    remove.addEventListener('click', () => {
      uploads.files.splice(i, 1);
      renderPending();
      document.getElementById('input').focus();
    });
    li.append(name, remove);
    return li;
  }));
}
/** The multipart body for a message with files, or null when none are waiting. */
function uploadBody(text) {
  if (!uploads.files.length) return null;
  const form = new FormData();
  if (text.trim()) form.set('text', text);
  for (const f of uploads.files) form.append('file', f, f.name);
  return form;
}
function clearUploads() {
  uploads.files = [];
  renderPending();
}
/** The text without its trailing "[file: …]" lines: the files show as links instead. */
function textWithoutFiles(m) {
  const n = (m.files || []).length;
  return n ? m.text.split('\\n').slice(0, -n).join('\\n') : m.text;
}
async function saveFile(url, name) {
  const res = await fetch(url, { headers });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    throw new Error(body.error || 'The download failed (HTTP ' + res.status + ').');
  }
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 60000);
}
function showFiles(article, m) {
  if (!m.files || !m.files.length) return;
  const ul = document.createElement('ul');
  ul.className = 'files';
  ul.setAttribute('aria-label', 'Files');
  for (const f of m.files) {
    const li = document.createElement('li');
    if (f.url) {
      const a = document.createElement('a');
      a.href = f.url;
      a.download = f.name;
      a.textContent = f.name;
      a.setAttribute('aria-label', 'Download ' + f.name + ', ' + sizeText(f.size));
      a.addEventListener('click', (e) => {
        e.preventDefault();
        saveFile(f.url, f.name).catch((err) => { document.getElementById('error').textContent = err.message; });
      });
      const size = document.createElement('span');
      size.className = 'size';
      size.textContent = ' · ' + sizeText(f.size);
      li.append(a, size);
    } else {
      li.textContent = f.name + ' (not saved)';
    }
    ul.append(li);
  }
  article.append(ul);
}
function setupFiles() {
  const picker = document.getElementById('file-input');
  // Escape in the composer drops the files waiting to be sent.
  document.getElementById('input').addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && uploads.files.length) { e.preventDefault(); clearUploads(); }
  });
  document.getElementById('attach').addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    addFiles(picker.files);
    picker.value = '';
    document.getElementById('input').focus();
  });
  const hasFiles = (e) => e.dataTransfer && [...e.dataTransfer.types].includes('Files');
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    document.body.classList.add('dropping');
  });
  document.addEventListener('dragleave', (e) => {
    if (!e.relatedTarget) document.body.classList.remove('dropping');
  });
  document.addEventListener('drop', (e) => {
    document.body.classList.remove('dropping');
    if (!hasFiles(e)) return;
    e.preventDefault();
    addFiles(e.dataTransfer.files);
    document.getElementById('input').focus();
  });
}
`;
