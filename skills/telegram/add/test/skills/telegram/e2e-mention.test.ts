/**
 * Mentions end to end: a Telegram group registered with a trigger (the real CLI), the real host
 * (bubblewrap, SDK CLI, fake model) and the real adapter against the fake Bot API. Plain talk
 * and other bots never wake the group's agent; Telegram's mention of the bot does, without the
 * text trigger, and the reply goes to that group.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { allConfirmed, sentText, startE2e, type E2e } from './support/e2e.js';
import { GROUP_CHAT, messageUpdate, until } from './support/harness.js';

const OTHER_BOT = { id: 555, is_bot: true, first_name: 'Helper', username: 'helper_bot' };

/** A message that mentions `@handle` the way Telegram marks it: a `mention` entity. */
function mentioning(handle: string, rest: string): Record<string, unknown> {
  const text = `@${handle} ${rest}`;
  return { text, entities: [{ type: 'mention', offset: 0, length: handle.length + 1 }] };
}

/** Every model request whose messages quote `text` (the prompt carries the chat's messages). */
const asked = (e2e: E2e, text: string) =>
  e2e.model.requests.filter((r) => JSON.stringify(r.body).includes(text));

/** The bot's "typing…" in `chatId`: the host shows it the moment a run starts answering there. */
const typingIn = (e2e: E2e, chatId: number) =>
  e2e.telegram.calls.filter(
    (c) => c.method === 'sendChatAction' && Number(c.params.chat_id) === chatId,
  );

describe('telegram mentions end to end (host process, bwrap, SDK CLI, fake model, fake Bot API)', () => {
  let e2e: E2e;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-tg-mention-');
    // No --no-trigger: the group answers only its trigger (@Andy) or the platform's mention.
    await e2e.cli(['groups', 'add', 'family', '--chat', `telegram:${GROUP_CHAT.id}`]);
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await e2e.close();
  });

  it('a mention of the bot wakes the group agent and the reply arrives in that group; plain messages and bots do not', async () => {
    host = await startHostProcess(e2e.env);
    const bot = e2e.telegram.bot.username;
    e2e.telegram.push(messageUpdate(GROUP_CHAT, { text: 'plain talk, no trigger' }));
    e2e.telegram.push(
      messageUpdate(GROUP_CHAT, { ...mentioning(bot, 'bot says hi'), from: OTHER_BOT }),
    );
    await allConfirmed(e2e.telegram);
    // Both are stored. A woken agent shows "typing…" in the group at once, before its sandbox
    // starts; give it every chance to, and to reach the model.
    await new Promise((r) => setTimeout(r, 3000));
    expect(typingIn(e2e, GROUP_CHAT.id)).toEqual([]);
    expect(asked(e2e, 'plain talk')).toEqual([]);
    expect(asked(e2e, 'bot says hi')).toEqual([]);
    expect(e2e.sentTo(GROUP_CHAT.id)).toEqual([]);

    e2e.telegram.push(messageUpdate(GROUP_CHAT, mentioning(bot, 'what is up?')));
    const reply = await until(
      () => e2e.sentTo(GROUP_CHAT.id).find((c) => sentText(c).includes('what is up?')),
      60_000,
    );
    expect(sentText(reply)).toContain('ECHO:');
    expect(typingIn(e2e, GROUP_CHAT.id).length).toBeGreaterThan(0);
    // The woken turn sees the earlier messages as context.
    const context = asked(e2e, 'what is up?').some((r) =>
      JSON.stringify(r.body).includes('plain talk'),
    );
    expect(context).toBe(true);
  }, 180_000);
});
