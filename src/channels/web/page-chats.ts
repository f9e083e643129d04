/**
 * The page's chat list (browser JavaScript, loaded before the main script): every group's chats
 * on every channel, each with its channel and an unread count (messages since the page last
 * showed that chat, remembered in localStorage), the composer set to what the owner may do in
 * the open chat (chat / reply as the bot / read-only), and a draft kept per chat. Names are set
 * with textContent.
 */

export const PAGE_CHATS = `
'use strict';
const SEEN_KEY = 'nanoclaw-seen';
const DRAFT_KEY = 'nanoclaw-draft:';
const UNREAD_POLL_MS = 30000;
function readSeen() {
  try { return JSON.parse(localStorage.getItem(SEEN_KEY) || '{}') || {}; } catch { return {}; }
}
/** The open chat was shown up to \`ts\`: its messages until then are read. */
function markSeen(id, ts) {
  const seen = readSeen();
  if ((seen[id] || 0) >= ts) return;
  seen[id] = ts;
  localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
}
function loadDraft(id) { return localStorage.getItem(DRAFT_KEY + id) || ''; }
function saveDraft(id, text) {
  if (text) localStorage.setItem(DRAFT_KEY + id, text); else localStorage.removeItem(DRAFT_KEY + id);
}
async function unreadCount(c, seenTs) {
  if (!(c.lastMessageTs > seenTs)) return 0;
  const { messages } = await api('/api/chats/' + encodeURIComponent(c.chatId) + '/messages?limit=100');
  return messages.filter((m) => m.ts > seenTs).length;
}
function chatLink(c, unread) {
  const a = document.createElement('a');
  a.href = '?chat=' + encodeURIComponent(c.chatId);
  a.dataset.chat = c.chatId;
  const name = document.createElement('span');
  name.textContent = c.name;
  a.append(name);
  const parts = [c.name];
  if (c.channel !== 'web') {
    const badge = document.createElement('span');
    badge.className = 'channel';
    badge.textContent = c.channel + (c.access === 'read-only' ? ' · read-only' : '');
    a.append(badge);
    parts.push(badge.textContent);
  }
  if (unread > 0) {
    const count = document.createElement('span');
    count.className = 'unread';
    count.textContent = unread > 99 ? '99+' : String(unread);
    a.append(count);
    parts.push(count.textContent + ' unread');
  }
  a.setAttribute('aria-label', parts.join(', '));
  if (c.chatId === chatId) a.setAttribute('aria-current', 'page');
  return a;
}
/** The composer says, and allows, what the owner may do in the open chat. */
function applyAccess(c) {
  const note = document.getElementById('chat-note');
  const readOnly = c.access === 'read-only';
  input.disabled = readOnly;
  sendButton.disabled = readOnly;
  document.getElementById('attach').hidden = c.access !== 'chat';
  note.hidden = c.access === 'chat';
  if (readOnly) {
    note.textContent = c.name + ' is a ' + c.channel + ' chat of group ' + c.folder + ': shown read-only here.';
    input.placeholder = 'Read-only';
  } else if (c.access === 'bot-reply') {
    note.textContent = 'What you send here goes out in ' + c.channel + ' as ' + assistantName + ', the bot (marked in this history as sent by you from the web).';
    input.placeholder = 'Reply as ' + assistantName + ' in ' + c.name + '…';
  } else if (c.trigger) {
    input.placeholder = 'Message ' + c.name + '… (start with ' + c.trigger + ' to wake ' + assistantName + ')';
  }
}
async function loadChats() {
  const { chats } = await api('/api/chats');
  const current = chats.find((c) => c.chatId === chatId);
  if (current) applyAccess(current);
  const seen = readSeen();
  const counts = await Promise.all(chats.map((c) => c.chatId === chatId ? 0 : unreadCount(c, seen[c.chatId] || 0).catch(() => 0)));
  const nav = document.getElementById('chats');
  nav.hidden = chats.length < 2;
  nav.replaceChildren(...chats.map((c, i) => chatLink(c, counts[i])));
}
function setupChats() {
  input.value = loadDraft(chatId);
  input.addEventListener('input', () => saveDraft(chatId, input.value));
  setInterval(() => loadChats().catch(() => {}), UNREAD_POLL_MS);
}
`;
