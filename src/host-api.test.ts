/**
 * The host-side effects of agent tools, over a real SQLite file: each is checked against the
 * caller's RunContext (from its capability), never against what the request body claims.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { EventBus } from './conversation/bus.js';
import { Outbox } from './conversation/outbox.js';
import { ForbiddenError } from './errors.js';
import { hostApiHandlers } from './host-api.js';
import { TaskService } from './scheduler/service.js';
import { openStore, type Store } from './host.js';
import { silentLogger } from './log.js';
import {
  HOST_API_PATHS,
  RegisterGroupBodySchema,
  SetEgressPolicyBodySchema,
  SetSenderPolicyBodySchema,
} from './shared/host-api.js';

const main = { runId: 'r1', group: { folder: 'main', isMain: true } };
const family = { runId: 'r2', group: { folder: 'family', isMain: false } };

describe('host API handlers', () => {
  let home: string;
  let store: Store;
  let handlers: ReturnType<typeof hostApiHandlers>;
  let deps: Parameters<typeof hostApiHandlers>[0];

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-api-'));
    const config = loadConfig({ NANOCLAW_HOME: home }, process.cwd());
    store = openStore(config);
    const now = new Date();
    store.groups.ensure({ folder: 'main', name: 'Main', isMain: true, chatId: 'web:main' }, now);
    store.groups.ensure(
      { folder: 'family', name: 'Family', isMain: false, chatId: 'web:family' },
      now,
    );
    store.messages.upsertChat('web:main', 'web', 'Main');
    store.messages.upsertChat('web:family', 'web', 'Family');
    const outbox = new Outbox({
      messages: store.messages,
      channels: () => [],
      now: Date.now,
      timers: { setTimeout, clearTimeout },
      log: silentLogger(),
      retryBaseMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    const post = {
      messages: store.messages,
      bus: new EventBus(),
      outbox,
      assistantName: 'Andy',
      now: Date.now,
    };
    const tasks = new TaskService({
      tasks: store.tasks,
      groups: store.groups,
      timezone: 'UTC',
      now: Date.now,
      changed: () => {},
    });
    deps = { store, post, config, tasks, channels: ['web'] };
    handlers = hostApiHandlers(deps);
  });

  afterEach(() => {
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const extra = (route: string) => {
    const entry = handlers.extra?.[route];
    if (!entry) throw new Error(`no route ${route}`);
    return entry;
  };

  it('send_message goes to the caller’s own chat; a non-main group cannot send elsewhere', async () => {
    await handlers.sendMessage(family, { text: 'hello <internal>x</internal>family' });
    expect(store.messages.history('web:family', 5).map((m) => m.content)).toEqual(['hello family']);
    await expect(
      handlers.sendMessage(family, { text: 'hi', chatId: 'web:main' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    expect(store.messages.history('web:main', 5)).toHaveLength(0);
    await handlers.sendMessage(main, { text: 'from main', chatId: 'web:family' });
    expect(store.messages.history('web:family', 5).at(-1)?.content).toBe('from main');
  });

  it('send_message and send_file go to the chat the run is answering, of a group with several chats', async () => {
    store.groups.addChat('family', 'telegram:-100', new Date());
    store.messages.upsertChat('telegram:-100', 'telegram', 'Family on Telegram');
    fs.mkdirSync(path.join(home, 'groups', 'family'), { recursive: true });
    fs.writeFileSync(path.join(home, 'groups', 'family', 'note.txt'), 'note');
    const turn = { chatId: 'telegram:-100', messageId: '7' };
    const answering = (runId: string) => (runId === family.runId ? turn : undefined);
    const live = hostApiHandlers({ ...deps, answering });
    await live.sendMessage(family, { text: 'to the asking chat' });
    const route = live.extra?.[HOST_API_PATHS.sendFile];
    await expect(route?.handle(family, { path: 'note.txt' })).resolves.toMatchObject({
      chat: 'telegram:-100',
    });
    const sent = store.messages.history('telegram:-100', 5).map((m) => m.content);
    expect(sent).toEqual(['to the asking chat', 'note.txt']);
    expect(store.messages.history('web:family', 5)).toHaveLength(0);
    // Named explicitly: any of the group's own chats; a run answering nothing: the home chat.
    await live.sendMessage(family, { text: 'home', chatId: 'web:family' });
    await live.sendMessage({ ...family, runId: 'task-run' }, { text: 'task output' });
    expect(store.messages.history('web:family', 5).map((m) => m.content)).toEqual([
      'home',
      'task output',
    ]);
    // Into the chat the run answers they reply to its message (threads); elsewhere they do not.
    const replies = store.db.prepare(`SELECT chat_id, reply_to FROM outbox ORDER BY seq`).all();
    expect(replies).toEqual([
      { chat_id: 'telegram:-100', reply_to: '7' },
      { chat_id: 'telegram:-100', reply_to: '7' },
      { chat_id: 'web:family', reply_to: null },
      { chat_id: 'web:family', reply_to: null },
    ]);
  });

  it('send_message from main to a chat that does not exist is refused, and nothing is stored', async () => {
    // Upstream allows it; we refuse: a made-up chat id would leave an undeliverable outbox item
    // and a conversation no group owns.
    await expect(
      handlers.sendMessage(main, { text: 'hello?', chatId: 'web:nowhere' }),
    ).rejects.toThrow(/unknown chat web:nowhere/);
    expect(store.messages.chatExists('web:nowhere')).toBe(false);
    expect(store.messages.history('web:nowhere', 5)).toHaveLength(0);
  });

  it('register_group: main only, never main, never an existing chat', async () => {
    const route = extra(HOST_API_PATHS.registerGroup);
    await expect(route.handle(family, { folder: 'sneaky' })).rejects.toBeInstanceOf(ForbiddenError);
    expect(store.groups.get('sneaky')).toBeUndefined();
    expect(await route.handle(main, { folder: 'work', chat_id: 'web:work' })).toEqual({
      folder: 'work',
      chatId: 'web:work',
    });
    expect(store.groups.get('work')).toMatchObject({ isMain: false, requiresTrigger: true });
    await expect(route.handle(main, { folder: 'dup', chat_id: 'web:family' })).rejects.toThrow(
      /already belongs/,
    );
    await expect(route.handle(main, { folder: '../escape' })).rejects.toThrow(
      /Invalid group folder/,
    );
    // The body schema has no isMain: any attempt to set it is refused before the handler.
    expect(RegisterGroupBodySchema.safeParse({ folder: 'x', isMain: true }).success).toBe(false);
    expect(RegisterGroupBodySchema.safeParse({ folder: 'x', is_main: true }).success).toBe(false);
  });

  it('register_group: no folder that is an existing or reserved one in another case or spelling', async () => {
    const route = extra(HOST_API_PATHS.registerGroup);
    // On macOS's case-insensitive disk each of these is main's or the global folder.
    for (const folder of ['MAIN', 'Main', 'FAMILY', 'Global', 'GLOBAL']) {
      await expect(route.handle(main, { folder, chat_id: `web:x-${folder}` })).rejects.toThrow(
        /same folder as the existing group|main group's folder|not "global"/,
      );
    }
    // Look-alikes (Cyrillic а, fullwidth letters, the Kelvin sign) are no folder names at all.
    for (const folder of ['m\u0430in', '\uff4d\uff41\uff49\uff4e', '\u212Aids']) {
      await expect(route.handle(main, { folder })).rejects.toThrow(/Invalid group folder/);
    }
    expect(
      store.groups
        .list()
        .map((g) => g.folder)
        .sort(),
    ).toEqual(['family', 'main']);
  });

  it('register_group: only chats of channels this installation has', async () => {
    const route = extra(HOST_API_PATHS.registerGroup);
    await expect(route.handle(main, { folder: 'tele', chat_id: 'telegram:123' })).rejects.toThrow(
      /Unknown channel "telegram" in chat id "telegram:123": this installation has web\./,
    );
    expect(store.groups.get('tele')).toBeUndefined();
    expect(await route.handle(main, { folder: 'tele', chat_id: 'web:tele' })).toMatchObject({
      folder: 'tele',
    });
  });

  it('set_group_mount: main only, and only what the mount allowlist allows', async () => {
    const set = extra(HOST_API_PATHS.setGroupMount);
    const body = { group_folder: 'family', host_path: home, name: 'data' };
    await expect(set.handle(family, body)).rejects.toBeInstanceOf(ForbiddenError);
    // No allowlist file at all: nothing may be mounted.
    await expect(set.handle(main, body)).rejects.toThrow(/Mount refused: No mount allowlist/);
    expect(store.mounts.list('family')).toEqual([]);
    await expect(
      extra(HOST_API_PATHS.removeGroupMount).handle(family, {
        group_folder: 'family',
        name: 'data',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('list_chats: main sees the chats channels have seen, registered or not; others are refused', async () => {
    store.messages.upsertChat('telegram:7', 'telegram', 'Ann', { kind: 'dm', at: 1 });
    const route = extra(HOST_API_PATHS.listChats);
    const seen = (await route.handle(main, { unregistered_only: true })) as {
      chats: { chatId: string; kind: string; group: string | null }[];
    };
    expect(seen.chats).toEqual([
      { chatId: 'telegram:7', channel: 'telegram', kind: 'dm', name: 'Ann', group: null },
    ]);
    await expect(route.handle(family, {})).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('list_groups: main sees all, others only themselves', async () => {
    const route = extra(HOST_API_PATHS.listGroups);
    const all = (await route.handle(main, {})) as { groups: { folder: string }[] };
    expect(all.groups.map((g) => g.folder).sort()).toEqual(['family', 'main']);
    const own = (await route.handle(family, {})) as { groups: { folder: string }[] };
    expect(own.groups.map((g) => g.folder)).toEqual(['family']);
  });

  it('policies: main sets any group’s; a group reads only its own and sets none', async () => {
    const setEgress = extra(HOST_API_PATHS.setEgressPolicy);
    const setSenders = extra(HOST_API_PATHS.setSenderPolicy);
    const get = extra(HOST_API_PATHS.getGroupPolicies);
    const open = { group_folder: 'family', mode: 'public', allow: [] };
    await expect(setEgress.handle(family, open)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      setSenders.handle(family, { group_folder: 'family', allow: 'all', mode: 'trigger' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(get.handle(family, { group_folder: 'main' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    await setEgress.handle(main, { group_folder: 'family', mode: 'allowlist', allow: ['*.x.org'] });
    await setSenders.handle(main, { group_folder: 'family', allow: ['u1'], mode: 'drop' });
    expect(await get.handle(family, {})).toEqual({
      group: 'family',
      senders: { allow: ['u1'], mode: 'drop' },
      egress: { mode: 'allowlist', allow: ['*.x.org'] },
    });
    await expect(setEgress.handle(main, { ...open, group_folder: 'ghost' })).rejects.toThrow(
      'No group "ghost".',
    );
    // Bodies are parsed with the shared policy schemas before any handler runs.
    const bad = [
      { group_folder: 'family', mode: 'everything' },
      { group_folder: 'family', mode: 'public', isMain: true },
    ];
    for (const body of bad) expect(SetEgressPolicyBodySchema.safeParse(body).success).toBe(false);
    expect(SetSenderPolicyBodySchema.safeParse({ group_folder: 'f', allow: [] }).success).toBe(
      false,
    );
  });

  it("search_messages: every chat of the caller's group, never another group's (main included)", async () => {
    store.groups.addChat('family', 'web:family-2', new Date());
    store.messages.upsertChat('web:family-2', 'web', 'Family 2');
    const put = (chatId: string, id: string, content: string) =>
      store.messages.insert({
        chatId,
        id,
        ts: Date.parse('2026-03-01T10:00:00Z'),
        senderId: 'u1',
        senderName: 'Ann',
        content,
        fromAssistant: false,
      });
    put('web:family', 'f1', 'the piano lesson moved to Tuesday');
    put('web:family-2', 'f2', 'piano tuner comes Friday');
    put('web:main', 'm1', 'main also talks about the piano');
    const route = extra(HOST_API_PATHS.searchMessages);
    const ids = async (context: typeof main, body: unknown) =>
      ((await route.handle(context, body)) as { hits: { id: string }[] }).hits.map((h) => h.id);
    expect((await ids(family, { query: 'piano' })).sort()).toEqual(['f1', 'f2']);
    expect(await ids(main, { query: 'piano' })).toEqual(['m1']);
    expect(await ids(main, { query: 'lesson tuesday' })).toEqual([]);
    expect(await ids(family, { query: 'piano', until: '2026-02-28' })).toEqual([]);
    await expect(route.handle(family, { query: 'piano', since: 'yesterday' })).rejects.toThrow(
      /since "yesterday" is not a date: use YYYY-MM-DD/,
    );
  });

  it('define_agent: a group defines its own specialists, main any group’s', async () => {
    const route = extra(HOST_API_PATHS.defineAgent);
    const spec = { name: 'fact-checker', description: 'Checks facts', prompt: 'Be careful.' };
    await route.handle(family, spec);
    const file = path.join(home, 'groups', 'family', 'agents', 'fact-checker.md');
    expect(fs.readFileSync(file, 'utf8')).toBe(
      '---\ndescription: Checks facts\n---\nBe careful.\n',
    );
    await expect(route.handle(family, { ...spec, group_folder: 'main' })).rejects.toThrow(
      ForbiddenError,
    );
    await route.handle(main, { ...spec, name: 'planner', group_folder: 'family' });
    expect(fs.existsSync(path.join(home, 'groups', 'family', 'agents', 'planner.md'))).toBe(true);
    await expect(route.handle(family, { name: 'x' })).rejects.toThrow(/give a description/);
    await route.handle(family, { name: 'planner', remove: true });
    expect(fs.existsSync(path.join(home, 'groups', 'family', 'agents', 'planner.md'))).toBe(false);
  });

  it('send_message: a worker speaks under its own name, or the name it gives (as)', async () => {
    const worker = { ...family, worker: { name: 'researcher', lead: 'r2' } };
    await handlers.sendMessage(worker, { text: 'found A' });
    await handlers.sendMessage(family, { text: 'summary', as: 'fact-checker' });
    await handlers.sendMessage(family, { text: 'plain' });
    const history = store.messages.history('web:family', 10);
    expect(history.map((m) => [m.senderName, m.content, m.fromAssistant])).toEqual([
      ['researcher', 'found A', true],
      ['fact-checker', 'summary', true],
      ['Andy', 'plain', true],
    ]);
  });

  it('delegate: refused to a worker, handed to the delegation service for a lead', async () => {
    const seen: unknown[] = [];
    const withDelegate = hostApiHandlers({
      ...deps,
      delegate: async (context, body) => {
        seen.push([context.runId, body.tasks.length]);
        return { results: [] };
      },
    });
    const route = withDelegate.extra?.[HOST_API_PATHS.delegate];
    const body = { tasks: [{ prompt: 'x' }] };
    const worker = { ...family, worker: { name: 'w', lead: 'r2' } };
    await expect(route?.handle(worker, body)).rejects.toThrow(/worker cannot delegate/);
    await expect(route?.handle(worker, body)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await route?.handle(family, body)).toEqual({ results: [] });
    expect(seen).toEqual([['r2', 1]]);
    // Without the service (a process that cannot start workers): a clear refusal.
    await expect(extra(HOST_API_PATHS.delegate).handle(family, body)).rejects.toThrow(
      /not available/,
    );
  });

  it('keeps host state private: the database is readable by the host user only', () => {
    // The WAL files hold the latest writes (messages) until a checkpoint: owner-only as well.
    for (const file of ['nanoclaw.db', 'nanoclaw.db-wal', 'nanoclaw.db-shm']) {
      expect(fs.statSync(path.join(home, file)).mode & 0o777, file).toBe(0o600);
    }
    expect(fs.statSync(home).mode & 0o777).toBe(0o711);
  });
});
