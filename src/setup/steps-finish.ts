/**
 * The last steps: the service (installed, or restarted so new settings apply) and a real
 * sandboxed turn that must answer: through the running assistant's web chat when the service
 * runs it, else as `nanoclaw run` does (its own short-lived host).
 */
import { runCommand } from '../cli/run.js';
import { ChatApi } from '../cli/chat-api.js';
import { findHostAddress } from '../cli/find-host.js';
import { MAIN_CHAT_ID } from '../app.js';
import { errorMessage } from '../errors.js';
import { findHost } from '../host-lock.js';
import {
  installService,
  restartService,
  serviceState,
  uninstallService,
} from '../service/control.js';
import { detectManager, readServiceRecord, serviceSpec } from '../service/manager.js';
import { sub } from './sub.js';
import {
  currentConfig,
  done,
  failed,
  skipped,
  type SetupContext,
  type Step,
  type StepOutcome,
} from './step.js';

const SERVICE_FIX =
  'Run setup again with --manager background, or --no-service and start it yourself (npm start).';

async function install(ctx: SetupContext): Promise<StepOutcome> {
  const config = currentConfig(ctx);
  const host = findHost(config.home);
  if (host.running) {
    return failed(
      `NanoClaw already runs outside the service (pid ${host.record?.pid ?? '?'})`,
      'Stop it first (Ctrl-C in its terminal), then run setup again; or pass --no-service.',
    );
  }
  const chosen = detectManager(ctx.options.manager);
  ctx.progress(`Service manager: ${chosen.kind} (${chosen.why}); starting NanoClaw…`);
  const lines = await installService(serviceSpec(config, ctx.cli.env, chosen.kind), chosen.kind);
  for (const line of lines) ctx.progress(line);
  ctx.state.serviceRunning = true;
  return done(`${chosen.kind} service installed and running`);
}

export const serviceStep: Step = {
  id: 'service',
  title: 'Service (runs NanoClaw every day, restarts it after a failure)',
  async done(ctx) {
    if (ctx.state.changed) return undefined; // new settings: restart it below
    const config = currentConfig(ctx);
    const state = serviceState(
      serviceSpec(config, ctx.cli.env, readServiceRecord(config.home)?.manager ?? 'background'),
    );
    if (state.installed && state.active) ctx.state.serviceRunning = true;
    return state.installed && state.active ? state.detail : undefined;
  },
  requested: (ctx) =>
    ctx.options.service !== undefined ||
    ctx.options.manager !== undefined ||
    ctx.options.change.includes('service'),
  async run(ctx): Promise<StepOutcome> {
    if (ctx.options.service === false)
      return skipped('skipped (--no-service): start it with npm start or nanoclaw start');
    const config = currentConfig(ctx);
    const record = readServiceRecord(config.home);
    try {
      if (
        record &&
        (!ctx.options.manager || record.manager === detectManager(ctx.options.manager).kind)
      ) {
        ctx.progress('Restarting the service so the new settings apply…');
        for (const line of await restartService(serviceSpec(config, ctx.cli.env, record.manager)))
          ctx.progress(line);
        ctx.state.serviceRunning = true;
        return done(`${record.manager} service restarted`);
      }
      if (record) await uninstallService(serviceSpec(config, ctx.cli.env, record.manager));
      const want =
        ctx.options.service ??
        (ctx.ask ? await ctx.ask.confirm('Install NanoClaw as a service?', true) : ctx.options.yes);
      if (!want)
        return skipped(
          'not installed: start it with npm start, or later: nanoclaw service install',
        );
      return await install(ctx);
    } catch (error) {
      return failed(`the service did not start: ${errorMessage(error)}`, SERVICE_FIX);
    }
  },
};

export const TURN_PROMPT =
  'This is nanoclaw setup checking that you can answer: please reply with a short greeting.';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Posts to the main web chat of the running assistant and waits for its answer. */
async function turnThroughHost(ctx: SetupContext, url: string): Promise<string> {
  const api = new ChatApi(url, currentConfig(ctx).web.token);
  const posted = await api.post(MAIN_CHAT_ID, TURN_PROMPT, 'setup');
  const until = Date.now() + 180_000;
  while (Date.now() < until && !ctx.signal.aborted) {
    const reply = (await api.history(MAIN_CHAT_ID, 20)).find(
      (m) => m.fromAssistant && m.ts >= posted.ts,
    );
    if (reply) return reply.text;
    await sleep(500);
  }
  throw new Error(`no answer within 180 s in the web chat at ${url}`);
}

export const turnStep: Step = {
  id: 'turn',
  title: 'A first real turn (in a sandbox, through the model)',
  done: async () => undefined, // the proof that everything works: done every time
  requested: () => true,
  async run(ctx): Promise<StepOutcome> {
    if (!ctx.options.turn) return skipped('skipped (--no-turn)');
    const config = currentConfig(ctx);
    const address = findHostAddress(config.home);
    let answer: string;
    try {
      if (address.ok) {
        ctx.progress(`Sending a message to the assistant's web chat (${address.url})…`);
        answer = await turnThroughHost(ctx, address.url);
      } else {
        ctx.progress('Running one turn in a fresh sandbox (as nanoclaw run)…');
        const lines: string[] = [];
        // Its host's logs go to stderr: only warnings, so the step's progress stays readable.
        const env = { ...ctx.cli.env, LOG_LEVEL: ctx.cli.env.LOG_LEVEL ?? 'warn' };
        const quiet = { ...ctx, cli: { ...ctx.cli, env } };
        const code = await sub(quiet, runCommand, [TURN_PROMPT], (line) => lines.push(line));
        if (code !== 0) throw new Error(`the run exited with ${code}`);
        answer = lines.join('\n');
      }
    } catch (error) {
      return failed(
        `the assistant did not answer: ${errorMessage(error)}`,
        'nanoclaw doctor checks every part and names the fix; the log: nanoclaw logs',
      );
    }
    if (!answer.trim() || answer.startsWith('Action needed:')) {
      return failed(
        `the assistant answered with a problem: ${answer.slice(0, 300)}`,
        'nanoclaw doctor names the fix.',
      );
    }
    const where = address.ok ? `Open the chat: ${address.url}` : 'Start it: npm start';
    return done(`the assistant answered: "${answer.replace(/\s+/g, ' ').slice(0, 160)}". ${where}`);
  },
};
