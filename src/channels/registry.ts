/**
 * Every chat channel: the built-in web chat, plus each channel skill, found by its folder. A
 * channel skill adds `src/channels/<name>/index.ts` exporting `createChannel: ChannelFactory`;
 * at start-up the compiled `dist/channels/<name>/index.js` is imported. A channel starts when its
 * factory returns one (its credentials exist); the web chat needs none.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NanoClawError } from '../errors.js';
import type { ChannelFactory } from './channel.js';
import { createWebChannel } from './web/server.js';

export const BUILTIN_CHANNELS: readonly ChannelFactory[] = [createWebChannel];

/** A channel folder whose module does not export a factory. */
export class ChannelModuleError extends NanoClawError {}

/** Folders under `dir` holding an `index.js`, sorted (start order is stable). */
export function channelModules(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, 'index.js')))
    .map((e) => path.join(dir, e.name, 'index.js'))
    .sort();
}

/** Imports every channel module under `dir` (the compiled `dist/channels`). */
export async function discoverChannels(dir: string): Promise<ChannelFactory[]> {
  const factories: ChannelFactory[] = [];
  for (const file of channelModules(dir)) {
    const mod = (await import(pathToFileURL(file).href)) as { createChannel?: unknown };
    if (typeof mod.createChannel !== 'function') {
      throw new ChannelModuleError(
        `${file} does not export createChannel(deps): the channel skill is broken; remove it ` +
          '(nanoclaw skills remove <name>) or rebuild (npm run build).',
      );
    }
    factories.push(mod.createChannel as ChannelFactory);
  }
  return factories;
}

/** The built-in channels and the discovered ones. */
export async function channelFactories(appRoot: string): Promise<ChannelFactory[]> {
  return [...BUILTIN_CHANNELS, ...(await discoverChannels(path.join(appRoot, 'dist', 'channels')))];
}
