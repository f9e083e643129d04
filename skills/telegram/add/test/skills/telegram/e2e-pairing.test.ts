/**
 * Owner pairing end to end: the real `nanoclaw pair telegram` prints a code, the real host
 * (bubblewrap, SDK CLI, fake model) polls the fake Bot API through the real adapter, and the DM
 * that sends the code joins the main group. The used code pairs no one else.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { allConfirmed, sentText, startE2e, type E2e } from './support/e2e.js';
import { ANN, DM_CHAT, messageUpdate, until } from './support/harness.js';

const BOB = { id: 43, is_bot: false, first_name: 'Bob', username: 'bob' };
const BOB_DM = { id: 43, type: 'private', first_name: 'Bob' };

describe('telegram pairing end to end (host process, bwrap, SDK CLI, fake model, fake Bot API)', () => {
  let e2e: E2e;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-tg-pair-');
  });

  afterEach(async () => {
    await host?.stop('SIGKILL');
    host = undefined;
  });

  afterAll(async () => {
    await e2e.close();
  });

  it('pairing binds main: the DM with the code joins main, its sender is answered, the code works once', async () => {
    host = await startHostProcess(e2e.env);
    const printed = await e2e.cli(['pair', 'telegram']);
    const code = /Pairing code for telegram: (\S+)/.exec(printed.stdout)?.[1];
    expect(code).toBeTruthy();

    e2e.telegram.push(messageUpdate(DM_CHAT, { text: code, from: ANN }));
    const paired = await until(() => e2e.sentTo(DM_CHAT.id)[0], 30_000);
    expect(sentText(paired)).toMatch(/^Paired\./);

    e2e.telegram.push(messageUpdate(DM_CHAT, { text: 'hello main', from: ANN }));
    const answer = await until(
      () => e2e.sentTo(DM_CHAT.id).find((c) => sentText(c).includes('hello main')),
      60_000,
    );
    expect(sentText(answer)).toContain('ECHO:');
    const groups = await e2e.cli(['groups', 'list']);
    expect(groups.stdout).toMatch(/^main\t\S*telegram:42\b/m);

    // Bob sends the used code: his chat is seen (discovery) but neither paired nor answered.
    e2e.telegram.push(messageUpdate(BOB_DM, { text: code, from: BOB }));
    await allConfirmed(e2e.telegram);
    const chats = await e2e.cli(['chats']);
    expect(chats.stdout).toMatch(/^telegram:43\tdm\t\(unregistered\)/m);
    // A later answer to Ann is queued after anything the host would have sent Bob.
    e2e.telegram.push(messageUpdate(DM_CHAT, { text: 'and again', from: ANN }));
    await until(
      () => e2e.sentTo(DM_CHAT.id).find((c) => sentText(c).includes('and again')),
      60_000,
    );
    expect(e2e.sentTo(BOB_DM.id)).toEqual([]);
    const after = await e2e.cli(['groups', 'list']);
    expect(after.stdout).not.toContain('telegram:43');
    expect(after.stdout).toMatch(/^main\t\S*telegram:42\b/m);
  }, 180_000);
});
