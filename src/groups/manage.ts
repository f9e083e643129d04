/**
 * Registering and removing groups, shared by the CLI and the main group's agent tool. A new
 * group is never main: `isMain` is not an input here, so no caller can set it.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Store } from '../host.js';
import type { Group } from '../store/groups.js';
import { folderKey, MAIN_FOLDER, sameFolderMessage, validateFolder } from '../store/groups.js';
import { prepareGroupDirs } from './workspace.js';

export interface GroupRegistration {
  folder: string;
  name?: string | undefined;
  /** Chat the group answers; defaults to the web chat `web:<folder>`. */
  chatId?: string | undefined;
  trigger?: string | undefined;
  requiresTrigger?: boolean | undefined;
}

const CHAT_ID = /^[a-z][a-z0-9]*:[^\s]{1,200}$/;

/**
 * A chat id is `<channel>:<id>` of a channel this installation has (`channels`, from the channel
 * registry): a group bound to a chat no channel delivers would never hear or answer anything.
 */
export function checkChatId(chatId: string, channels: readonly string[]): string {
  const known = channels.join(', ');
  if (!CHAT_ID.test(chatId)) {
    throw new UserError(
      `Invalid chat id "${chatId}": use <channel>:<id>, e.g. web:family (channels here: ${known}).`,
    );
  }
  const channel = chatId.slice(0, chatId.indexOf(':'));
  if (!channels.includes(channel)) {
    throw new UserError(
      `Unknown channel "${channel}" in chat id "${chatId}": this installation has ${known}. ` +
        'Add a channel with its skill (see README.md, "Channels"), then register the group.',
    );
  }
  return chatId;
}

export function registerGroup(
  store: Store,
  config: Config,
  input: GroupRegistration,
  now: Date,
  channels: readonly string[],
): Group {
  const folder = validateFolder(input.folder);
  if (folderKey(folder) === MAIN_FOLDER)
    throw new UserError(
      `"${folder}" is the main group's folder (in any case); choose another name.`,
    );
  const same = store.groups.findSameFolder(folder);
  if (same) throw new UserError(sameFolderMessage(folder, same.folder));
  const chatId = checkChatId(input.chatId ?? `web:${folder}`, channels);
  const holder = store.groups.getByChat(chatId);
  if (holder) throw new UserError(`Chat ${chatId} already belongs to group "${holder.folder}".`);
  const trigger = input.trigger?.trim();
  if (trigger !== undefined && !/^\S{1,50}$/.test(trigger)) {
    throw new UserError('A trigger is one word of 1-50 characters, e.g. @Andy.');
  }
  const group = store.groups.ensure(
    {
      folder,
      name: input.name?.trim() || folder,
      isMain: false,
      chatId,
      ...(trigger ? { trigger } : {}),
      requiresTrigger: input.requiresTrigger ?? true,
    },
    now,
  );
  store.messages.upsertChat(chatId, chatId.split(':')[0] ?? 'web', group.name);
  prepareGroupDirs(config, group);
  return group;
}

/**
 * Unregisters a group. Its folder and Claude home stay on disk (the user's data); main cannot
 * be removed.
 */
export function removeGroup(store: Store, folder: string): Group {
  const group = store.groups.get(validateFolder(folder));
  if (!group) {
    const same = store.groups.findSameFolder(folder);
    throw new UserError(`No group "${folder}".${same ? ` Did you mean "${same.folder}"?` : ''}`);
  }
  if (group.isMain) throw new UserError('The main group cannot be removed.');
  store.groups.remove(folder);
  return group;
}
