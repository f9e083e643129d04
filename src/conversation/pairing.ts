/**
 * Chats no group has yet: remembered for discovery, and the one thing they can do is pair.
 */
import type { InboundMessage } from '../channels/channel.js';
import type { Logger } from '../log.js';
import type { GroupStore } from '../store/groups.js';
import type { MessageStore } from '../store/messages.js';
import type { PairingStore } from '../store/pairing.js';
import { postAssistantMessage, type PostDeps } from './post.js';

export interface PairingDeps {
  groups: GroupStore;
  messages: MessageStore;
  pairing: PairingStore;
  post: PostDeps;
  log: Logger;
  now(): number;
}

/**
 * A chat no group has: remembered for discovery (`nanoclaw chats`), its text not kept. The one
 * thing it can do is pair: a live one-time code sent in a DM makes it a chat of main and its
 * sender the owner.
 */
export function unregistered(
  deps: PairingDeps,
  channel: string,
  message: InboundMessage,
  seen: { kind: 'dm' | 'group'; at: number },
): void {
  deps.messages.upsertChat(message.chatId, channel, message.chatName, seen);
  const main = deps.groups.main();
  const now = deps.now();
  const paired =
    main !== undefined &&
    seen.kind === 'dm' &&
    !message.fromBot &&
    deps.pairing.consume(channel, message.text, message.chatId, now);
  if (!paired) {
    deps.log.debug({ chat: message.chatId }, 'message for an unregistered chat ignored');
    return;
  }
  deps.groups.addChat(main.folder, message.chatId, new Date(now));
  deps.pairing.addOwner(message.senderId, message.chatId, now);
  deps.log.info({ chat: message.chatId }, 'owner paired: the chat joined the main group');
  postAssistantMessage(
    deps.post,
    message.chatId,
    'Paired. This chat now belongs to your main group and you are its owner: I answer every ' +
      'message here.',
  );
}
