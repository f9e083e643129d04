/**
 * Slack end to end: the real host process (`nanoclaw start`, the skill applied), real
 * bubblewrap sandboxes, the real SDK CLI and a fake model, with the real adapter (Bolt over
 * Socket Mode) talking to the fake Slack. A message wakes the right group and the reply lands
 * in the right place (its thread, the DM); a kill -9 mid-turn is answered exactly once after the
 * restart, in its thread; Slack going away is shown by `nanoclaw channels` and survived. Files: e2e-files.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { CHANNEL, DM, messageEvent, until } from './support/harness.js';

describe('slack end to end (host process, bwrap, SDK CLI, fake model, fake Slack)', () => {
  let e2e: E2e;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-slack-e2e-');
    await e2e.cli(['groups', 'add', 'family', '--chat', `slack:${CHANNEL}`, '--no-trigger']);
  });

  afterEach(async () => {
    await host?.stop('SIGKILL');
    host = undefined;
  });

  afterAll(async () => {
    await e2e.close();
  });

  it('a thread message wakes its group; the reply goes into the thread, a DM reply into the DM', async () => {
    host = await startHostProcess(e2e.env);
    await e2e.cli(['groups', 'link', 'main', `slack:${DM}`]);
    const parent = '1700000000.000001';
    const inThread = messageEvent(CHANNEL, { text: 'hello from the thread', thread_ts: parent });
    e2e.slack.event(inThread);
    const reply = await until(() => e2e.posts(CHANNEL, 'hello from the thread')[0], 60_000);
    expect(reply.params.text).toContain('ECHO:');
    expect(reply.params.thread_ts).toBe(parent);
    // 👀 on the message while the agent worked, taken away after.
    const reactions = e2e.slack.calls.filter((c) => c.method.startsWith('reactions.'));
    expect(reactions.map((c) => [c.method, c.params.timestamp])).toContainEqual([
      'reactions.add',
      inThread.ts,
    ]);
    await until(() => e2e.slack.calls.some((c) => c.method === 'reactions.remove'), 30_000);
    e2e.slack.event(messageEvent(DM, { text: 'hello in private' }));
    const dm = await until(() => e2e.posts(DM, 'hello in private')[0], 60_000);
    expect(dm.params.thread_ts).toBeUndefined();
    expect(e2e.posts(CHANNEL, 'hello in private')).toHaveLength(0);
    await until(() => e2e.slack.pending().length === 0);
  }, 180_000);

  it('kill -9 during a turn in a thread: after a restart answered exactly once, still in the thread', async () => {
    host = await startHostProcess(e2e.env);
    const before = e2e.model.requests.length;
    const thread = '1700000000.000002';
    e2e.slack.event(
      messageEvent(CHANNEL, { text: 'RUN: sleep 4; echo slept-once', thread_ts: thread }),
    );
    await until(() => e2e.model.requests.length > before, 60_000);
    await host.stop('SIGKILL');
    host = await startHostProcess(e2e.env);
    await until(() => e2e.posts(CHANNEL, 'slept-once').length > 0, 90_000);
    // Give a duplicate every chance to appear, then check there is none.
    await new Promise((r) => setTimeout(r, 3000));
    const replies = e2e.posts(CHANNEL, 'slept-once');
    expect(replies).toHaveLength(1);
    // The thread came from stored state (the message id, the outbox item's replyTo): the adapter
    // of the new process never saw this message.
    expect(replies[0]?.params.thread_ts).toBe(thread);
  }, 180_000);

  it('Slack going away: nanoclaw channels says reconnecting (and why), then connected; the socket dropped is reopened', async () => {
    host = await startHostProcess(e2e.env);
    await untilCli(e2e.env, ['channels'], /^slack\tconnected$/m);
    await e2e.slack.pause();
    // First "the Socket Mode connection closed", then the reason of the failing reconnects.
    const away = await untilCli(e2e.env, ['channels'], /^slack\treconnecting .*ECONNREFUSED/m);
    expect(away).toContain(`slack\treconnecting in`);
    expect(away).toMatch(/: cannot reach the Slack API at \S+ \(ECONNREFUSED\)$/m);
    await e2e.slack.resume();
    await untilCli(e2e.env, ['channels'], /^slack\tconnected$/m);
    const opened = e2e.slack.connections();
    e2e.slack.drop();
    e2e.slack.event(messageEvent(CHANNEL, { text: 'after the drop' }));
    await until(() => e2e.posts(CHANNEL, 'after the drop')[0], 60_000);
    expect(e2e.slack.connections()).toBeGreaterThan(opened);
    const output = host.output();
    expect(output).not.toContain(e2e.slack.botToken);
    expect(output).not.toContain(e2e.slack.appToken);
  }, 180_000);
});
