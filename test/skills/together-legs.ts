/**
 * The channels of the "all skills together" test, each a leg: its fake platform (the skill's own
 * test fake, from test/skills/<skill>/support/), the settings `skills add` would write for it,
 * the chat it links to the shared group, a way to write there and a look at what the bot sent.
 *
 * The fakes exist only when their skill is applied. The core tree (its typecheck, lint and
 * `npm test`, with no skill applied) must not import them statically, so each is loaded with a
 * dynamic import of a computed path and typed here by the little this test uses of it: a fake
 * that changed shape fails the test at run time (in scripts/skills-ci.mjs), not the core build.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/channel-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The channel skills this test needs applied (whatsapp, the Baileys one, is only started). */
const TOGETHER_SKILLS = ['slack', 'discord', 'telegram', 'whatsapp-cloud', 'email', 'whatsapp'];

/** Which of them are not applied in this tree (their test folder is absent). */
export const missingSkills = (): string[] =>
  TOGETHER_SKILLS.filter((s) => !fs.existsSync(path.join(here, s)));

/** A module of an applied skill's test support, typed by what the caller uses of it. */
async function load<T>(skill: string, file: string): Promise<T> {
  return (await import(path.join(here, skill, 'support', `${file}.ts`))) as T;
}

type Fields = Record<string, unknown>;
interface Closable {
  close(): Promise<void>;
}

export interface Leg {
  /** The channel's name as `nanoclaw channels` prints it (the chat id prefix). */
  channel: string;
  chatId: string;
  /** Its settings, as lines of the data directory's .env. */
  settings: Record<string, string>;
  /** The user writes `text` in the linked chat. */
  write(text: string): Promise<void>;
  /** Texts the bot sent to the linked chat. */
  sent(): string[];
  close(): Promise<void>;
}

export async function slackLeg(): Promise<Leg> {
  type Call = { method: string; params: Fields };
  const { startFakeSlack } = await load<{
    startFakeSlack(): Promise<
      Closable & { url: string; botToken: string; appToken: string; calls: Call[] } & {
        event(event: Fields): string;
      }
    >;
  }>('slack', 'fake-slack');
  const { CHANNEL, messageEvent } = await load<{
    CHANNEL: string;
    messageEvent(channel: string, fields: Fields): Fields;
  }>('slack', 'harness');
  const slack = await startFakeSlack();
  return {
    channel: 'slack',
    chatId: `slack:${CHANNEL}`,
    settings: {
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_APP_TOKEN: slack.appToken,
      SLACK_API_URL: slack.url,
    },
    write: async (text) => void slack.event(messageEvent(CHANNEL, { text })),
    sent: () =>
      slack.calls
        .filter((c) => c.method === 'chat.postMessage' && c.params.channel === CHANNEL)
        .map((c) => String(c.params.text)),
    close: () => slack.close(),
  };
}

export async function discordLeg(): Promise<Leg> {
  type Created = { path: string; body: Fields };
  const { startFakeDiscord, GENERAL } = await load<{
    GENERAL: { id: string };
    startFakeDiscord(): Promise<
      Closable & { url: string; token: string; created: Created[] } & {
        guildMessage(content: string): string;
      }
    >;
  }>('discord', 'fake-discord');
  const discord = await startFakeDiscord();
  return {
    channel: 'discord',
    chatId: `discord:${GENERAL.id}`,
    settings: { DISCORD_BOT_TOKEN: discord.token, DISCORD_API_URL: discord.url },
    write: async (text) => void discord.guildMessage(text),
    sent: () =>
      discord.created
        .filter((c) => c.path === `/channels/${GENERAL.id}/messages`)
        .map((c) => String(c.body.content)),
    close: () => discord.close(),
  };
}

export async function telegramLeg(): Promise<Leg> {
  type Call = { method: string; params: Fields };
  const { startFakeTelegram } = await load<{
    startFakeTelegram(): Promise<
      Closable & { url: string; token: string; calls: Call[]; push(update: Fields): unknown }
    >;
  }>('telegram', 'fake-telegram');
  const { GROUP_CHAT, messageUpdate } = await load<{
    GROUP_CHAT: Fields & { id: number };
    messageUpdate(chat: Fields, fields: Fields): Fields;
  }>('telegram', 'harness');
  const telegram = await startFakeTelegram();
  return {
    channel: 'telegram',
    chatId: `telegram:${GROUP_CHAT.id}`,
    settings: { TELEGRAM_BOT_TOKEN: telegram.token, TELEGRAM_API_ROOT: telegram.url },
    write: async (text) => void telegram.push(messageUpdate(GROUP_CHAT, { text })),
    sent: () =>
      telegram.calls
        .filter((c) => c.method === 'sendMessage' && c.params.chat_id === GROUP_CHAT.id)
        .map((c) => String(c.params.text)),
    close: () => telegram.close(),
  };
}

export async function whatsappCloudLeg(): Promise<Leg> {
  type Call = { body: Fields };
  const { startFakeGraph } = await load<{
    startFakeGraph(): Promise<
      Closable & { url: string; token: string; phoneNumberId: string; sent(): Call[] }
    >;
  }>('whatsapp-cloud', 'fake-graph');
  const hooks = await load<{
    APP_SECRET: string;
    VERIFY_TOKEN: string;
    ANN: { waId: string };
    messagesPayload(phoneNumberId: string, value: { messages: unknown[] }): Fields;
    textMessage(text: string): Fields;
    deliverUntilOk(webhookUrl: string, payload: unknown): Promise<number>;
  }>('whatsapp-cloud', 'webhooks');
  const graph = await startFakeGraph();
  const port = await freePort();
  const webhook = `http://127.0.0.1:${port}/webhook`;
  const payload = (text: string) =>
    hooks.messagesPayload(graph.phoneNumberId, { messages: [hooks.textMessage(text)] });
  return {
    channel: 'wacloud',
    chatId: `wacloud:${hooks.ANN.waId}`,
    settings: {
      WHATSAPP_TOKEN: graph.token,
      WHATSAPP_PHONE_NUMBER_ID: graph.phoneNumberId,
      WHATSAPP_APP_SECRET: hooks.APP_SECRET,
      WHATSAPP_VERIFY_TOKEN: hooks.VERIFY_TOKEN,
      WHATSAPP_GRAPH_URL: graph.url,
      WHATSAPP_WEBHOOK_PORT: String(port),
    },
    write: async (text) => void (await hooks.deliverUntilOk(webhook, payload(text))),
    sent: () =>
      graph
        .sent()
        .filter((c) => c.body.to === hooks.ANN.waId)
        .map((c) => (c.body.text as { body?: string } | undefined)?.body ?? ''),
    close: () => graph.close(),
  };
}

/** Email against a real dovecot and SMTP server; undefined (with why) when dovecot is missing. */
export async function emailLeg(): Promise<Leg | string> {
  const { dovecotUnavailable } = await load<{ dovecotUnavailable(): string | undefined }>(
    'email',
    'dovecot',
  );
  const unavailable = dovecotUnavailable();
  if (unavailable) return unavailable;
  type Mail = { user: string; parsed: { text?: string } };
  const { startMailWorld, ANN } = await load<{
    ANN: string;
    startMailWorld(): Promise<
      Closable & {
        smtp: { sent: Mail[] };
        send(options: { subject: string; text: string }): Promise<string>;
        values(): Record<string, string>;
      }
    >;
  }>('email', 'harness');
  const world = await startMailWorld();
  return {
    channel: 'email',
    chatId: `email:${ANN}`,
    settings: world.values(),
    write: async (text) => void (await world.send({ subject: 'together', text })),
    sent: () => world.smtp.sent.filter((m) => m.user === 'agent').map((m) => m.parsed.text ?? ''),
    close: () => world.close(),
  };
}
