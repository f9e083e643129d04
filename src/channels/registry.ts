/**
 * Every chat channel, one line each. A channel starts when its factory returns one (its
 * credentials exist); the built-in web chat needs none.
 */
import type { ChannelFactory } from './channel.js';
import { createWebChannel } from './web/server.js';

export const CHANNEL_FACTORIES: readonly ChannelFactory[] = [createWebChannel];
