/**
 * Registering and removing groups, shared by the CLI and the main group's agent tool. A new
 * group is never main: `isMain` is not an input here, so no caller can set it.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Store } from '../host.js';
import type { Group } from '../store/groups.js';
import { validateFolder } from '../store/groups.js';
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

export function registerGroup(
  store: Store,
  config: Config,
  input: GroupRegistration,
  now: Date,
): Group {
  const folder = validateFolder(input.folder);
  if (store.groups.get(folder)) throw new UserError(`Group "${folder}" already exists.`);
  const chatId = input.chatId ?? `web:${folder}`;
  if (!CHAT_ID.test(chatId)) {
    throw new UserError(
      `Invalid chat id "${chatId}": use <channel>:<id>, e.g. web:family or tg:-100123.`,
    );
  }
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
  if (!group) throw new UserError(`No group "${folder}".`);
  if (group.isMain) throw new UserError('The main group cannot be removed.');
  store.groups.remove(folder);
  return group;
}
