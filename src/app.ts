/**
 * The running assistant: the host (store, sandbox runtime, gateway) plus conversations, the
 * outbox and the chat channels. `startApp` is the one place that wires them together.
 */
import type { Config } from './config.js';
import type { Channel, ChannelDeps, ChannelStatus, HostStatus } from './channels/channel.js';
import { ChannelHealthBoard, describeHealth } from './channels/health.js';
import { channelNames } from './channels/registry.js';
import type { ChannelFactory } from './channels/channel.js';
import { EventBus } from './conversation/bus.js';
import { Outbox } from './conversation/outbox.js';
import { Conversations } from './conversation/service.js';
import { TypingIndicator } from './conversation/typing.js';
import { saveAttachments } from './conversation/attachments.js';
import { taskSender } from './scheduler/label.js';
import { credentialProblems } from './credentials.js';
import { agentFileOwner, groupPaths } from './groups/workspace.js';
import { errorMessage } from './errors.js';
import { hostApiHandlers } from './host-api.js';
import { Delegations } from './runs/delegate.js';
import { openStore, prepareDataDir, startHost, type Host, type Store } from './host.js';
import { acquireHostLock } from './host-lock.js';
import type { Logger } from './log.js';
import type { Group } from './store/groups.js';
import { startGroupRun } from './runs/turn.js';
import { postAssistantMessage, type PostDeps } from './conversation/post.js';
import { createDispatcher } from './scheduler/dispatch.js';
import { Scheduler } from './scheduler/scheduler.js';
import { TaskService } from './scheduler/service.js';
import { dashboardDeps, operatorStatus, serveControl } from './operator.js';
import { UsageNotices } from './usage/notices.js';
import { usageSummary } from './usage/summary.js';
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
  const started = new StartedParts(log);
  try {
    return await assemble(config, env, log, factories, started);
  } catch (error) {
    // A failed start stops whatever it had started, so the process can exit at once.
    await started.stopAll();
    throw error;
  }
}

async function assemble(
  config: Config,
  env: NodeJS.ProcessEnv,
  log: Logger,
  factories: readonly ChannelFactory[],
  started: StartedParts,
): Promise<App> {
  const { lock, store } = openState(config, started);
  const channels: Channel[] = [];
  const { post, outbox, bus, tasks, rearm } = messaging(config, log, store, () => channels);
  // Tools are called only by runs, which start after the conversations exist.
  const answering = (runId: string) => conversations.answering(runId);
  const notices = usageNotices(store, post, answering, log);
  const host = await startHost(
    config,
    log.child({ component: 'host' }),
    store,
    hostApiHandlers({
      ...{ store, post, config, tasks, channels: channelNames(config.appRoot) },
      answering: (runId) => conversations.answeringTurn(runId),
      delegate: (c, b) => delegations.delegate(c, b),
    }),
    notices.links(),
  );
  // A worker's steps show, and are kept, where its lead's are (the chat the lead answers).
  const delegations = new Delegations(host, (lead, agent, text) =>
    conversations.teamStep(lead, agent, text),
  );
  started.add(() => host.close());
  ensureMainGroup(host);
  const problems = () => credentialProblems(config, env);
  const stopping = new AbortController();
  const conversations = createConversations(host, post, () => channels, {
    setupProblems: problems,
    mayRun: (folder, chatId) => notices.mayRun(folder, chatId),
    stopping: stopping.signal,
  });
  const { health, status, opStatus } = statusViews(host, conversations, channels, {
    log,
    problems: () => [...problems(), ...notices.problems()],
    setup: problems,
  });
  started.add(() => stopChannels(channels, log));
  await startChannels(factories, channels, {
    ...channelDeps(host, { log, post, bus, conversations, health }),
    env,
    dashboard: dashboardDeps(host, store, conversations, opStatus),
    status,
  });
  const url = webUrl(channels);
  if (url) lock.publish(url);
  started.add(await serveControl(host, opStatus));
  started.add(() => outbox.close());
  started.add(() => conversations.shutdown());
  startScheduler(host, post, rearm, started);
  conversations.resumeAll();
  outbox.kick();
  // Stopped first: attachment downloads in progress end at once.
  started.add(() => stopping.abort(new Error('NanoClaw is stopping')));
  return { host, conversations, channels, status, stop: () => started.stopAll() };
}

/** The data directory, held by this host (the lock), and its database. */
function openState(config: Config, started: StartedParts) {
  prepareDataDir(config);
  const lock = acquireHostLock(config.home, new Date());
  started.add(() => lock.release());
  const store = openStore(config);
  started.add(() => (store.db.open ? store.db.close() : undefined));
  return { lock, store };
}

/** The host's status for live views (channels, problems, usage) and for the operator's tools. */
function statusViews(
  host: Host,
  conversations: Conversations,
  channels: readonly Channel[],
  deps: { log: Logger; problems: () => string[]; setup: () => string[] },
) {
  const health = new ChannelHealthBoard({
    log: deps.log.child({ component: 'channel' }),
    now: Date.now,
  });
  const status = (): HostStatus => ({
    assistantName: host.config.assistantName,
    ...statusParts(host, deps.problems()),
    channels: channelStates(channels, health),
  });
  const opStatus = operatorStatus(host, conversations, {
    channels: status,
    problems: deps.setup,
    url: () => webUrl(channels),
  });
  return { health, status, opStatus };
}

/** What every channel gets from the host: the stores it reads, and how it hands work in. */
function channelDeps(
  host: Host,
  parts: {
    log: Logger;
    post: PostDeps;
    bus: EventBus;
    conversations: Conversations;
    health: ChannelHealthBoard;
  },
): Omit<ChannelDeps, 'env' | 'status'> {
  const { post, bus, conversations, health } = parts;
  return {
    config: host.config,
    log: parts.log.child({ component: 'channel' }),
    bus,
    messages: host.messages,
    groups: host.groups,
    tasks: host.tasks,
    steps: host.steps,
    receive: (channel, message) => conversations.receive(channel, message),
    stop: (chatId) => conversations.stop(chatId),
    postAsAssistant: (chatId, text, sender) =>
      postAssistantMessage(post, chatId, text, sender ? { sender } : {}),
    chatSeen: (channel, chat) =>
      host.messages.upsertChat(chat.chatId, channel, chat.name, {
        kind: chat.kind,
        at: Date.now(),
      }),
    healthChanged: (channel, state) => {
      health.report(channel, state);
      bus.emit('status');
    },
  };
}

/** The scheduler, re-armed when tasks change through the host API or outside the host. */
function startScheduler(
  host: Host,
  post: PostDeps,
  rearm: { now: () => void },
  started: StartedParts,
): void {
  const scheduler = createScheduler(host, post);
  started.add(() => scheduler.stop());
  rearm.now = () => scheduler.changed();
  scheduler.start();
  started.add(watchExternalWrites(host.config, rearm.now));
}

/** Problems to show, and the model usage line (today, this month, per group). */
function statusParts(store: Store, problems: string[]) {
  const folders = store.groups.list().map((g) => g.folder);
  return { problems, usage: usageSummary(store.usage, folders, Date.now()) };
}

function usageNotices(
  store: Store,
  post: PostDeps,
  answering: (runId: string) => string | undefined,
  log: Logger,
): UsageNotices {
  return new UsageNotices({
    ...store,
    answering,
    post: (chatId, text) => postAssistantMessage(post, chatId, text),
    now: Date.now,
    log: log.child({ component: 'usage' }),
  });
}

/** The message path's parts over the store: bus, outbox, posting, the task service. */
function messaging(config: Config, log: Logger, store: Store, channels: () => readonly Channel[]) {
  const bus = new EventBus();
  const outbox = new Outbox({
    messages: store.messages,
    channels,
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
  return { bus, outbox, post, rearm, tasks };
}

/** Each running channel's state: what it reported, or connected for those that report none. */
function channelStates(channels: readonly Channel[], health: ChannelHealthBoard): ChannelStatus[] {
  const reported = new Map(health.list().map((s) => [s.name, s]));
  return channels.map((c) => {
    const state = c.health?.() ?? reported.get(c.name)?.health ?? { state: 'connected' };
    return { name: c.name, ...state, summary: describeHealth(state) };
  });
}

/** The web chat's address, when the web channel runs. */
export function webUrl(channels: readonly Channel[]): string | undefined {
  const web = channels.find((c) => c.name === 'web');
  return web && 'url' in web ? String(web.url) : undefined;
}

/** What has been started so far, stopped newest first (each once). */
class StartedParts {
  private readonly stops: (() => unknown)[] = [];

  constructor(private readonly log: Logger) {}

  add(stop: () => unknown): void {
    this.stops.push(stop);
  }

  async stopAll(): Promise<void> {
    for (let stop = this.stops.pop(); stop; stop = this.stops.pop()) {
      try {
        await stop();
      } catch (error) {
        this.log.warn({ err: errorMessage(error) }, 'stopping a part failed');
      }
    }
  }
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
      post: (chatId, text, task) =>
        postAssistantMessage(post, chatId, text, {
          sender: taskSender(post.assistantName, task),
        }),
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
  extra: {
    setupProblems: () => readonly string[];
    mayRun: (folder: string, chatId: string) => boolean;
    stopping: AbortSignal;
  },
): Conversations {
  const { config, log } = host;
  return new Conversations({
    assistantName: config.assistantName,
    ownerIds: config.ownerIds,
    timezone: config.timezone,
    idleTimeoutMs: config.idleTimeoutMs,
    pairing: host.pairing,
    limiter: host.limiter,
    retry: { baseMs: 5000, maxDelayMs: 60_000, maxRetries: 4 },
    groups: host.groups,
    messages: host.messages,
    sessions: host.sessions,
    steps: host.steps,
    post,
    typing: new TypingIndicator({ channels, timers, log, bus: post.bus }),
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
        extra.stopping,
      ),
    setupProblems: extra.setupProblems,
    audit: host.audit.record,
    mayRun: extra.mayRun,
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
