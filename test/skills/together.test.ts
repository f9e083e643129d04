/**
 * Every channel skill applied in one tree, side by side: the real host (`nanoclaw start`) with
 * the settings of all of them at once, real bubblewrap sandboxes, the real SDK CLI and the fake
 * model, each channel's real adapter talking to its skill's own fake platform (Slack, Discord,
 * Telegram, WhatsApp Cloud; email on a real dovecot when installed). One group is linked to a
 * chat on each: a message on each channel is answered on that channel and nowhere else, and the
 * model sees one conversation (each prompt holds what came before, from the other channels).
 * The Baileys WhatsApp channel is started too: offline it never connects, and the others do not
 * mind. `nanoclaw channels` lists them all.
 *
 * It needs the skills applied, so it lives in the core tree and loads the skills' fakes at run
 * time (see together-legs.ts): without them it is skipped, loudly. scripts/skills-ci.mjs, which
 * applies every skill, runs it with NANOCLAW_SKILLS_TOGETHER=required: there a missing skill
 * fails it instead.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import {
  discordLeg,
  emailLeg,
  missingSkills,
  slackLeg,
  telegramLeg,
  whatsappCloudLeg,
  type Leg,
} from './together-legs.js';

const missing = missingSkills();
const required = process.env.NANOCLAW_SKILLS_TOGETHER === 'required';
if (missing.length > 0 && !required) {
  console.warn(
    `SKIPPED the all-skills-together test: ${missing.join(', ')} not applied here ` +
      '(scripts/skills-ci.mjs applies every skill and runs it)',
  );
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls `nanoclaw channels` until every pattern matches; returns that output. */
async function channelsUntil(env: Record<string, string>, patterns: RegExp[]): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { stdout } = await runCli(['channels'], env);
    if (patterns.every((p) => p.test(stdout))) return stdout;
    if (Date.now() > deadline) throw new Error(`nanoclaw channels: ${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(missing.length > 0 && !required)(
  'all channel skills together (host process, bwrap, SDK CLI, fake model, every fake platform)',
  () => {
    let model: FakeAnthropic;
    let legs: Leg[] = [];
    let home: string;
    let env: Record<string, string>;
    let host: HostProcess | undefined;

    beforeAll(async () => {
      if (missing.length > 0) throw new Error(`skills not applied: ${missing.join(', ')}`);
      model = await startFakeAnthropic();
      legs = [await slackLeg(), await discordLeg(), await telegramLeg(), await whatsappCloudLeg()];
      const email = await emailLeg();
      if (typeof email === 'string') console.warn(`the email leg is SKIPPED: ${email}`);
      else legs.push(email);
      home = tempHome('nanoclaw-together-');
      // Every channel's settings at once, as `skills add … --set` writes them; the Baileys
      // account turns that channel on too (offline it keeps trying to connect).
      const settings: Record<string, string> = Object.assign(
        { WHATSAPP_ACCOUNT: '4915112345678' },
        ...legs.map((l) => l.settings),
      );
      const dotenv = Object.entries(settings).map(([k, v]) => `${k}=${v}\n`);
      fs.writeFileSync(path.join(home, '.env'), dotenv.join(''), { mode: 0o600 });
      env = {
        NANOCLAW_HOME: home,
        NANOCLAW_RUNTIME: 'bwrap',
        ANTHROPIC_BASE_URL: model.url,
        ANTHROPIC_API_KEY: 'sk-e2e-together-key',
        IDLE_TIMEOUT_MS: '2000',
        TZ: 'UTC',
      };
      const [first, ...others] = legs.map((l) => l.chatId);
      await cli(['groups', 'add', 'family', '--chat', String(first), '--no-trigger']);
      for (const chatId of others) await cli(['groups', 'link', 'family', chatId]);
      host = await startHostProcess(env);
    }, 120_000);

    afterAll(async () => {
      await host?.stop('SIGKILL');
      for (const leg of legs) await leg.close();
      await model?.close();
      if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    async function cli(args: string[]): Promise<void> {
      const result = await runCli(args, env);
      if (result.code !== 0 || result.stderr !== '') {
        throw new Error(`nanoclaw ${args.join(' ')} → ${result.code}\n${result.stderr}`);
      }
    }

    it('nanoclaw channels lists every channel connected; the offline Baileys one keeps trying', async () => {
      const out = await channelsUntil(env, [
        ...legs.map((l) => new RegExp(`^${l.channel}\\tconnected$`, 'm')),
        /^web\tconnected$/m,
        /^whatsapp\t(connecting|waiting to be linked: .+|reconnecting in \d+s: .+)$/m,
      ]);
      // Nothing but these: one line per channel started.
      const names = out
        .trim()
        .split('\n')
        .map((line) => line.split('\t')[0]);
      expect(names.sort()).toEqual([...legs.map((l) => l.channel), 'web', 'whatsapp'].sort());
    }, 120_000);

    it('one group on every channel: each message is answered on its own channel, in one conversation', async () => {
      const said: string[] = [];
      for (const leg of legs) {
        const marker = `marker-${leg.channel}-${said.length}`;
        await leg.write(`hello from ${leg.channel} ${marker}`);
        await until(() => leg.sent().some((t) => t.includes(marker)), `the ${leg.channel} reply`);
        expect(leg.sent().find((t) => t.includes(marker))).toContain('ECHO:');
        // Answered there only: no other channel got this reply.
        for (const other of legs.filter((l) => l !== leg)) {
          expect(other.sent().filter((t) => t.includes(marker))).toEqual([]);
        }
        // One conversation: the model was asked this with everything said before, on the
        // other channels, in the same session.
        const asked = model.requests.map((r) => JSON.stringify(r.body));
        const withAll = asked.filter((b) => b.includes(marker) && said.every((m) => b.includes(m)));
        expect(withAll.length, `a request with ${marker} and ${said.join(', ')}`).toBeGreaterThan(
          0,
        );
        said.push(marker);
      }
      // The Baileys channel, never connected all along, disturbed none of them.
      await channelsUntil(
        env,
        legs.map((l) => new RegExp(`^${l.channel}\\tconnected$`, 'm')),
      );
    }, 300_000);
  },
);
