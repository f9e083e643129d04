/**
 * The page's chat list (browser JavaScript, loaded before the main script): every group's chats
 * on every channel, each with its channel and an unread count (messages since the page last
 * showed that chat, remembered in localStorage), the composer set to what the owner may do in
 * the open chat (chat / reply as the bot / read-only), and a draft kept per chat. Names are set
 * with textContent. Counts stay live through the open chat's event stream (`chat` notices for
 * the other chats; a chat new to the list reloads it), recounted from the server after a
 * reconnect; nothing polls.
 */

export const PAGE_CHATS = `
'use strict';
const SEEN_KEY = 'nanoclaw-seen';
const DRAFT_KEY = 'nanoclaw-draft:';
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
/** What this page counts as unread: per chat, message id → ts (ids de-duplicate). */
const unread = new Map();
let listedChats = [];
let chatsLoading = null;
let chatsAgain = false;
let streamOpened = false;
function noteUnread(id, messageId, ts) {
  if (!unread.has(id)) unread.set(id, new Map());
  unread.get(id).set(messageId, ts);
}
/** Unread = counted and newer than what was shown of the chat (maybe in another tab). */
function unreadOf(id, seen) {
  const since = seen[id] || 0;
  let n = 0;
  for (const ts of (unread.get(id) || new Map()).values()) if (ts > since) n += 1;
  return n;
}
async function fetchUnread(c, seenTs) {
  if (!(c.lastMessageTs > seenTs)) return;
  const { messages } = await api('/api/chats/' + encodeURIComponent(c.chatId) + '/messages?limit=100');
  for (const m of messages) if (m.ts > seenTs) noteUnread(c.chatId, m.id, m.ts);
}
function chatLink(c, count) {
  const a = document.createElement('a');
  a.href = '?chat=' + encodeURIComponent(c.chatId);
  a.dataset.chat = c.chatId;
  const name = document.createElement('span');
  name.textContent = c.name;
  a.append(name);
  if (c.channel !== 'web') {
    const badge = document.createElement('span');
    badge.className = 'channel';
    badge.textContent = c.channel + (c.access === 'read-only' ? ' · read-only' : '');
    a.append(badge);
  }
  showUnread(a, c, count);
  if (c.chatId === chatId) a.setAttribute('aria-current', 'page');
  return a;
}
/** Updates a link's badge and label in place (a focused link keeps its focus). */
function showUnread(a, c, count) {
  let badge = a.querySelector('.unread');
  if (count > 0 && !badge) {
    badge = document.createElement('span');
    badge.className = 'unread';
    a.append(badge);
  }
  if (count > 0) badge.textContent = count > 99 ? '99+' : String(count);
  else badge?.remove();
  const parts = [c.name];
  const channel = a.querySelector('.channel');
  if (channel) parts.push(channel.textContent);
  if (count > 0) parts.push(badge.textContent + ' unread');
  a.setAttribute('aria-label', parts.join(', '));
}
function linkOf(id) {
  return [...document.querySelectorAll('#chats a')].find((a) => a.dataset.chat === id);
}
/** Said politely to screen readers (the badges alone would change silently). */
function announce(text) {
  document.getElementById('chats-live').textContent = text;
}
function showCounts() {
  const seen = readSeen();
  for (const c of listedChats) {
    const a = linkOf(c.chatId);
    if (a) showUnread(a, c, c.chatId === chatId ? 0 : unreadOf(c.chatId, seen));
  }
}
/** The stream's \`chat\` event: a message was stored in another chat of the list. */
function chatNotice(n) {
  if (n.chatId === chatId) return;
  const c = listedChats.find((x) => x.chatId === n.chatId);
  if (!c) {
    loadChats().catch(() => {}); // a chat new to the list
    return;
  }
  const seen = readSeen();
  if (!(n.ts > (seen[n.chatId] || 0))) return;
  noteUnread(n.chatId, n.id, n.ts);
  const count = unreadOf(n.chatId, seen);
  const a = linkOf(n.chatId);
  if (a) showUnread(a, c, count);
  announce(c.name + ': ' + count + ' unread');
}
function watchChats(source) {
  source.addEventListener('chat', (e) => chatNotice(JSON.parse(e.data)));
  source.addEventListener('open', () => {
    // Notices sent while the stream was down are lost: count from the server once more.
    if (streamOpened) loadChats().catch(() => {});
    streamOpened = true;
  });
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
/** Loads the list and its counts; a call while one runs makes it run once more after. */
function loadChats() {
  if (chatsLoading) {
    chatsAgain = true;
    return chatsLoading;
  }
  chatsLoading = fetchChats().finally(() => {
    chatsLoading = null;
    if (chatsAgain) {
      chatsAgain = false;
      loadChats().catch(() => {});
    }
  });
  return chatsLoading;
}
async function fetchChats() {
  const { chats } = await api('/api/chats');
  const current = chats.find((c) => c.chatId === chatId);
  if (current) applyAccess(current);
  const seen = readSeen();
  const known = new Set(listedChats.map((c) => c.chatId));
  await Promise.all(chats.map((c) => c.chatId === chatId ? null : fetchUnread(c, seen[c.chatId] || 0).catch(() => {})));
  listedChats = chats;
  const nav = document.getElementById('chats');
  nav.hidden = chats.length < 2;
  nav.replaceChildren(...chats.map((c) => chatLink(c, c.chatId === chatId ? 0 : unreadOf(c.chatId, seen))));
  const added = known.size ? chats.filter((c) => !known.has(c.chatId) && unreadOf(c.chatId, seen) > 0) : [];
  if (added.length) announce(added.map((c) => 'New chat ' + c.name + ': ' + unreadOf(c.chatId, seen) + ' unread').join('. '));
}
function setupChats() {
  input.value = loadDraft(chatId);
  input.addEventListener('input', () => saveDraft(chatId, input.value));
  // Another tab showed a chat: its unread count here drops too.
  window.addEventListener('storage', (e) => { if (e.key === SEEN_KEY) showCounts(); });
}
`;
