/**
 * Every chat channel, one line each: its name (the prefix of its chat ids, `web:main`) and its
 * factory. A channel starts when its factory returns one (its credentials exist); the built-in
 * web chat needs none (the terminal chat, `nanoclaw chat`, is a client of the web chat's API).
 * A channel skill adds its line here; chat ids of other channels are refused at registration.
 */
import type { ChannelFactory } from './channel.js';
import { createWebChannel } from './web/server.js';

export interface ChannelEntry {
  name: string;
  factory: ChannelFactory;
}

export const CHANNELS: readonly ChannelEntry[] = [{ name: 'web', factory: createWebChannel }];

export const CHANNEL_FACTORIES: readonly ChannelFactory[] = CHANNELS.map((c) => c.factory);

/** The chat id prefixes this installation can deliver to. */
export const CHANNEL_NAMES: readonly string[] = CHANNELS.map((c) => c.name);
