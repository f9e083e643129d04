/**
 * The running assistant: the host (store, sandbox runtime, gateway) plus conversations, the
 * outbox and the chat channels. `startApp` is the one place that wires them together.
 */
import { channelNames } from './channels/registry.js';
import type { Config } from './config.js';
import type { Channel, ChannelDeps, HostStatus } from './channels/channel.js';
import type { ChannelFactory } from './channels/channel.js';
import { EventBus } from './conversation/bus.js';
import { Outbox } from './conversation/outbox.js';
import { Conversations } from './conversation/service.js';
import { TypingIndicator } from './conversation/typing.js';
import { credentialProblems } from './credentials.js';
import { errorMessage } from './errors.js';
import { hostApiHandlers } from './host-api.js';
import { openStore, startHost, type Host } from './host.js';
import type { Logger } from './log.js';
import type { Group } from './store/groups.js';
import { startGroupRun } from './runs/turn.js';
import { saveAttachments } from './conversation/attachments.js';
import { agentFileOwner, groupPaths } from './groups/workspace.js';
import { postAssistantMessage, type PostDeps } from './conversation/post.js';
import { createDispatcher } from './scheduler/dispatch.js';
import { Scheduler } from './scheduler/scheduler.js';
import { TaskService } from './scheduler/service.js';
import fs from 'node:fs';

export const MAIN_CHAT_ID = 'web:main';

export interface App {
  host: Host;
  conversations: Conversations;
  channels: readonly Channel[];
  status(): HostStatus;
  stop(): Promise<void>;
}

const timers = { setTimeout, clearTimeout, setInterval, clearInterval };

export async function startApp(
  config: Config,
  env: NodeJS.ProcessEnv,
  log: Logger,
  factories: readonly ChannelFactory[],
): Promise<App> {
  const channels: Channel[] = [];
  const bus = new EventBus();
  const store = openStore(config);
  const outbox = new Outbox({
    messages: store.messages,
    channels: () => channels,
    now: Date.now,
    timers,
    log: log.child({ component: 'outbox' }),
    retryBaseMs: 2000,
    retryMaxDelayMs: 5 * 60_000,
  });
  const post: PostDeps = {
    messages: store.messages,
    bus,
    outbox,
    assistantName: config.assistantName,
    now: Date.now,
  };
  // The scheduler needs the host; the host API needs the task service: re-arm through a link
  // that is connected once the scheduler exists.
  const rearm = { now: (): void => {} };
  const tasks = new TaskService({
    tasks: store.tasks,
    groups: store.groups,
    timezone: config.timezone,
    now: Date.now,
    changed: () => rearm.now(),
  });
  const host = await startHost(
    config,
    log.child({ component: 'host' }),
    store,
    hostApiHandlers({ store, post, config, tasks, channels: channelNames(config.appRoot) }),
  );
  ensureMainGroup(host);
  const stopping = new AbortController();
  const conversations = createConversations(host, post, () => channels, stopping.signal);
  const status = (): HostStatus => ({
    assistantName: config.assistantName,
    problems: credentialProblems(config, env),
  });
  await startChannels(factories, channels, {
    config,
    env,
    log: log.child({ component: 'channel' }),
    bus,
    messages: store.messages,
    groups: host.groups,
    tasks: store.tasks,
    receive: (channel, message) => conversations.receive(channel, message),
    status,
  });
  const scheduler = createScheduler(host, post);
  rearm.now = () => scheduler.changed();
  scheduler.start();
  const unwatch = watchExternalWrites(config, rearm.now);
  conversations.resumeAll();
  outbox.kick();
  const stop = async () => {
    stopping.abort(new Error('NanoClaw is stopping'));
    unwatch();
    await scheduler.stop();
    await conversations.shutdown();
    await outbox.close();
    await stopChannels(channels, log);
    await host.close();
  };
  return { host, conversations, channels, status, stop };
}

async function stopChannels(channels: readonly Channel[], log: Logger): Promise<void> {
  for (const channel of channels) {
    await channel.stop().catch((error: unknown) => {
      log.warn({ channel: channel.name, err: errorMessage(error) }, 'channel stop failed');
    });
  }
}

async function startChannels(
  factories: readonly ChannelFactory[],
  channels: Channel[],
  deps: ChannelDeps,
): Promise<void> {
  for (const factory of factories) {
    const channel = factory(deps);
    if (!channel) continue;
    await channel.start();
    channels.push(channel);
  }
}

function createScheduler(host: Host, post: PostDeps): Scheduler {
  return new Scheduler({
    tasks: host.tasks,
    timezone: host.config.timezone,
    now: Date.now,
    timers,
    dispatch: createDispatcher({
      host,
      post: (chatId, text) => postAssistantMessage(post, chatId, text),
    }),
    groupExists: (folder) => host.groups.get(folder) !== undefined,
    log: host.log.child({ component: 'scheduler' }),
  });
}

/**
 * The CLI changes tasks from another process: re-arm when the database changes on disk
 * (debounced). Event-driven; the scheduler's one-minute safety re-arm covers missed events.
 */
function watchExternalWrites(config: Config, changed: () => void): () => void {
  let pending: NodeJS.Timeout | undefined;
  const watcher = fs.watch(config.home, (_event, file) => {
    if (!file?.startsWith('nanoclaw.db') || pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      changed();
    }, 200);
  });
  return () => {
    if (pending) clearTimeout(pending);
    watcher.close();
  };
}

function createConversations(
  host: Host,
  post: PostDeps,
  channels: () => readonly Channel[],
  stopping: AbortSignal,
): Conversations {
  const { config, log } = host;
  return new Conversations({
    assistantName: config.assistantName,
    ownerIds: config.ownerIds,
    timezone: config.timezone,
    idleTimeoutMs: config.idleTimeoutMs,
    limiter: host.limiter,
    retry: { baseMs: 5000, maxDelayMs: 60_000, maxRetries: 4 },
    groups: host.groups,
    messages: host.messages,
    sessions: host.sessions,
    post,
    typing: new TypingIndicator({ channels, timers, log }),
    startRun: (group, prompt, signal, images) =>
      startGroupRun(host, group, prompt, signal, { session: 'group' }, images),
    saveAttachments: (group, message) =>
      saveAttachments(
        {
          groupDir: groupPaths(config, group.folder).groupDir,
          owner: agentFileOwner(config),
          maxBytes: config.attachmentMaxBytes,
          timezone: config.timezone,
          alreadyStored: (chatId, id) => host.messages.has(chatId, id),
          log,
        },
        message,
        stopping,
      ),
    now: Date.now,
    timers,
    log: log.child({ component: 'conversations' }),
  });
}

/** The web chat's own conversation is the main group. */
export function ensureMainGroup(host: Host): Group {
  const main = host.groups.main();
  if (!main) {
    host.groups.ensure(
      { folder: 'main', name: 'Main', isMain: true, chatId: MAIN_CHAT_ID, requiresTrigger: false },
      new Date(),
    );
  } else if (!host.groups.chats(main.folder).includes(MAIN_CHAT_ID)) {
    host.groups.addChat(main.folder, MAIN_CHAT_ID, new Date());
  }
  host.messages.upsertChat(MAIN_CHAT_ID, 'web', 'Main');
  const ensured = host.groups.main();
  if (!ensured) throw new Error('main group missing after creation');
  return ensured;
}
