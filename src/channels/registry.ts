/**
 * Every chat channel: the built-in web chat, plus each channel skill, found by its folder. A
 * channel's name is the prefix of its chat ids (`web:main`, `telegram:42`). A channel skill adds
 * `src/channels/<name>/index.ts` exporting `createChannel: ChannelFactory`; at start-up the
 * compiled `dist/channels/<name>/index.js` is imported. A channel starts when its factory returns
 * one (its credentials exist); the web chat needs none (the terminal chat, `nanoclaw chat`, is a
 * client of the web chat's API). Chat ids of other channels are refused at registration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NanoClawError } from '../errors.js';
import type { ChannelFactory } from './channel.js';
import { createWebChannel } from './web/server.js';

export interface ChannelEntry {
  name: string;
  factory: ChannelFactory;
}

export const BUILTIN_CHANNELS: readonly ChannelEntry[] = [
  { name: 'web', factory: createWebChannel },
];

/** A channel folder whose module does not export a factory. */
export class ChannelModuleError extends NanoClawError {}

const channelsDir = (appRoot: string) => path.join(appRoot, 'dist', 'channels');

/** Channel folders under `dir` holding an `index.js`, sorted (start order is stable). */
export function channelModules(dir: string): { name: string; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'index.js')))
    .map((e) => ({ name: e.name, file: path.join(dir, e.name, 'index.js') }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Imports every channel module under `dir` (the compiled `dist/channels`). */
export async function discoverChannels(dir: string): Promise<ChannelEntry[]> {
  const entries: ChannelEntry[] = [];
  for (const { name, file } of channelModules(dir)) {
    const mod = (await import(pathToFileURL(file).href)) as { createChannel?: unknown };
    if (typeof mod.createChannel !== 'function') {
      throw new ChannelModuleError(
        `${file} does not export createChannel(deps): the channel skill is broken; remove it ` +
          '(nanoclaw skills remove <name>) or rebuild (npm run build).',
      );
    }
    entries.push({ name, factory: mod.createChannel as ChannelFactory });
  }
  return entries;
}

/** The built-in channels' and the added channel skills' names (no module is loaded). */
export function channelNames(appRoot: string): string[] {
  const builtin = BUILTIN_CHANNELS.map((c) => c.name);
  const added = channelModules(channelsDir(appRoot)).map((m) => m.name);
  return [...builtin, ...added.filter((name) => !builtin.includes(name))];
}

/** The built-in channels and the discovered ones. */
export async function channelFactories(appRoot: string): Promise<ChannelFactory[]> {
  const discovered = await discoverChannels(channelsDir(appRoot));
  return [...BUILTIN_CHANNELS, ...discovered].map((c) => c.factory);
}
