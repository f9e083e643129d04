/**
 * `npm run bench`: prints latency and memory figures. Uses bwrap, the real SDK CLI and a local
 * fake model, so the figures are NanoClaw's own overhead (the model answers instantly).
 */
import { benchConversation } from './conversation.js';
import { benchGatewayOpenAI } from './gateway-openai.js';
import { benchGatewayUsage } from './gateway-usage.js';
import { benchSandbox } from './sandbox.js';
import { benchScheduler } from './scheduler.js';
import { benchStreaming } from './streaming.js';

const only = process.argv[2];
if (!only || only === 'sandbox') await benchSandbox();
if (!only || only === 'conversation') await benchConversation();
if (!only || only === 'scheduler') await benchScheduler();
if (!only || only === 'gateway-usage') await benchGatewayUsage();
if (!only || only === 'gateway-openai') await benchGatewayOpenAI();
if (!only || only === 'streaming') await benchStreaming();
