/**
 * Discovery and pairing through the real CLI: `nanoclaw chats` lists what channels have seen,
 * `groups link` makes a group answer a second chat, `pair` refuses channels this installation
 * does not have. (Pairing end to end, with a channel skill applied, is in the Telegram skill's
 * tests.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../src/store/db.js';
import { MessageStore } from '../src/store/messages.js';
import { runCli, tempHome } from './support/cli.js';
import { startHostProcess } from './support/host-process.js';

describe('nanoclaw chats, groups link, pair', () => {
  let base: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    base = tempHome('nanoclaw-chats-');
    env = { NANOCLAW_HOME: path.join(base, 'data'), TZ: 'UTC' };
    expect((await runCli(['groups', 'add', 'family'], env)).code).toBe(0);
    expect((await runCli(['groups', 'add', 'club'], env)).code).toBe(0);
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('lists unregistered chats with their kind, says how to get some when there are none', async () => {
    const empty = await runCli(['chats'], env);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/No unregistered chats seen yet.*skills add telegram/s);
    const db = openDb(path.join(env.NANOCLAW_HOME as string, 'nanoclaw.db'));
    new MessageStore(db).upsertChat('web:visitor', 'web', 'Visitor', {
      kind: 'dm',
      at: Date.now(),
    });
    db.close();
    const listed = await runCli(['chats'], env);
    expect(listed.stdout).toMatch(/web:visitor\tdm\t\(unregistered\)\t.*\tVisitor/);
    expect(listed.stdout).not.toContain('web:family');
    const all = await runCli(['chats', '--all', '--json'], env);
    const rows = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chatId: string });
    expect(rows.map((r) => r.chatId)).toEqual(
      expect.arrayContaining(['web:visitor', 'web:family']),
    );
  });

  it('links a second chat to a group and unlinks it; a chat belongs to one group', async () => {
    const linked = await runCli(['groups', 'link', 'family', 'web:visitor'], env);
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain('now also answers web:visitor');
    expect((await runCli(['groups', 'list'], env)).stdout).toMatch(
      /family\tweb:family,web:visitor/,
    );
    expect((await runCli(['chats'], env)).stdout).not.toContain('web:visitor');
    const taken = await runCli(['groups', 'link', 'club', 'web:visitor'], env);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('already belongs to group "family"');
    const unknown = await runCli(['groups', 'link', 'family', 'telegram:5'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown channel "telegram"');
    expect((await runCli(['groups', 'unlink', 'family', 'web:visitor'], env)).code).toBe(0);
    expect((await runCli(['chats'], env)).stdout).toContain('web:visitor');
  });

  it('pair refuses a channel this installation does not have, and the web chat', async () => {
    for (const channel of ['telegram', 'web']) {
      const result = await runCli(['pair', channel], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/No channel to pair with|Unknown channel/);
    }
    expect((await runCli(['pair', '--help'], env)).stdout).toContain('one-time code');
  });

  it('channels: says when no host runs, and lists the running host’s channels and states', async () => {
    const none = await runCli(['channels'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /NanoClaw is not running.*\n.*Channels this installation has: web/s,
    );
    const host = await startHostProcess({ ...env, WEB_PORT: '0' });
    try {
      const listed = await runCli(['channels'], env);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toBe('web\tconnected\n');
    } finally {
      await host.stop();
    }
  });
});
