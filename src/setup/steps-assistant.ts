/**
 * Setup steps about the assistant itself: its name and time zone (and the web chat's port), the
 * main channel (the built-in web chat, or a channel skill added with `skills add` and paired with
 * `pair`), and a first, optional entry of the mount allowlist.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { isTimeZone } from '../config.js';
import { pairCommand } from '../cli/chats.js';
import { skillsCommand } from '../cli/skills.js';
import { UserError, errorMessage } from '../errors.js';
import { availableSkillNames, loadSkill } from '../skills/manifest.js';
import type { EnvEdit } from './dotenv.js';
import { readSetupRecord, updateSetupRecord } from './record.js';
import { sub } from './sub.js';
import {
  currentConfig,
  done,
  dotenv,
  envDiffers,
  failed,
  fromEnv,
  writeSettings,
  type SetupContext,
  type Step,
  type StepOutcome,
} from './step.js';

/** Pure: the problem with a name/zone/port, or undefined. */
export function assistantProblem(
  name: string,
  zone: string,
  port: string | undefined,
): string | undefined {
  if (!/^[^\n\r@]{1,50}$/.test(name.trim()))
    return `"${name}" is not a name (1-50 characters, no @)`;
  if (!isTimeZone(zone))
    return `"${zone}" is not a time zone (use an IANA name such as Europe/Berlin)`;
  if (port !== undefined && !/^\d{1,5}$/.test(port))
    return `WEB_PORT "${port}" is not a port number`;
  if (port !== undefined && Number(port) > 65535) return `WEB_PORT ${port} is above 65535`;
  return undefined;
}

export const assistantStep: Step = {
  id: 'assistant',
  title: 'Assistant name and time zone',
  async done(ctx) {
    const { ASSISTANT_NAME: name, TZ: zone } = dotenv(ctx);
    return name && zone ? `${name}, ${zone}` : undefined;
  },
  requested: (ctx) =>
    ['name', 'tz', 'webPort'].some((k) => k in ctx.options) ||
    ctx.options.change.includes('assistant') ||
    ['ASSISTANT_NAME', 'TZ', 'WEB_PORT'].some((k) => envDiffers(ctx, k)),
  async run(ctx): Promise<StepOutcome> {
    const current = dotenv(ctx);
    const system = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const name =
      ctx.options.name ??
      fromEnv(ctx, 'ASSISTANT_NAME') ??
      (await ctx.ask?.text(
        'Assistant name (its trigger in groups is @<name>)',
        current.ASSISTANT_NAME ?? 'Andy',
      )) ??
      current.ASSISTANT_NAME ??
      'Andy';
    const zone =
      ctx.options.tz ??
      fromEnv(ctx, 'TZ') ??
      (await ctx.ask?.text('Time zone', current.TZ ?? system)) ??
      current.TZ ??
      system;
    const port = ctx.options.webPort ?? fromEnv(ctx, 'WEB_PORT');
    const problem = assistantProblem(name, zone, port);
    if (problem)
      return failed(
        problem,
        'Run setup again with --name <name> --tz <Area/City> (and --web-port <n>).',
      );
    const edits: EnvEdit[] = [
      {
        key: 'ASSISTANT_NAME',
        value: name.trim(),
        comment: "The assistant's name; in groups it answers @<name>",
      },
      { key: 'TZ', value: zone, comment: 'Your time zone (schedules and message times)' },
    ];
    if (port !== undefined)
      edits.push({ key: 'WEB_PORT', value: port, comment: 'Port of the local web chat' });
    const changed = writeSettings(ctx, edits);
    return done(`${name.trim()}, ${zone}${port ? `, web chat on port ${port}` : ''}`, changed);
  },
};

/** A skill adds sources: build them (and its packages) as `npm start` does, output as progress. */
async function rebuild(ctx: SetupContext): Promise<void> {
  ctx.progress('Installing its packages and building (a minute)…');
  const child = spawn(process.execPath, [path.join(ctx.cli.appRoot, 'scripts', 'prepare.mjs')], {
    cwd: ctx.cli.appRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => line.trim() && ctx.progress(line));
  }
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new UserError(`the build failed (exit ${code}); see the lines above`);
}

function channelSkills(appRoot: string): string[] {
  return availableSkillNames(appRoot).filter(
    (n) => loadSkill(appRoot, n).manifest.kind === 'channel',
  );
}

export const channelStep: Step = {
  id: 'channel',
  title: 'Main channel',
  async done(ctx) {
    const channel = readSetupRecord(currentConfig(ctx).home).channel;
    return channel
      ? `${channel === 'web' ? 'the web chat' : channel} is your main chat`
      : undefined;
  },
  requested: (ctx) => ctx.options.channel !== undefined || ctx.options.change.includes('channel'),
  async run(ctx): Promise<StepOutcome> {
    const skills = channelSkills(ctx.cli.appRoot);
    const options = [
      { value: 'web', label: 'The built-in web chat (nothing to set up)' },
      ...skills.map((s) => ({
        value: s,
        label: `${s} (a channel skill: adds it, then pairs your DM)`,
      })),
    ];
    const channel =
      ctx.options.channel ??
      (await ctx.ask?.choose('Where do you talk to the assistant?', options, 'web')) ??
      'web';
    const home = currentConfig(ctx).home;
    if (channel === 'web') {
      updateSetupRecord(home, { channel });
      return done('the web chat (and `nanoclaw chat` in a terminal)');
    }
    if (!skills.includes(channel)) {
      return failed(
        `"${channel}" is not a channel here`,
        `Choose web or one of: ${skills.join(', ') || '(no channel skills)'}.`,
      );
    }
    const args = [
      'add',
      channel,
      ...(ctx.ask ? [] : ['--yes']),
      ...ctx.options.set.flatMap((s) => ['--set', s]),
    ];
    try {
      await sub(ctx, skillsCommand, args);
      await rebuild(ctx);
      await sub(ctx, pairCommand, [channel]);
    } catch (error) {
      return failed(
        `adding ${channel} failed: ${errorMessage(error)}`,
        `Fix that, then: nanoclaw setup --channel ${channel} --set NAME=value`,
      );
    }
    ctx.state.pairChannel = channel;
    ctx.state.changed = true;
    updateSetupRecord(home, { channel });
    return done(`${channel} added; send the pairing code above to your bot once the service runs`);
  },
};
