/**
 * The model step: an Anthropic API key, a Claude subscription token (`claude setup-token`) or an
 * Anthropic-compatible base URL such as Ollama's, each verified with a real minimal request
 * through the model proxy before anything is written. Choosing one removes the others from the
 * .env, since the proxy would otherwise prefer an older API key.
 */
import { DEFAULT_UPSTREAM, SECRET_KEYS, type SecretKey, type SecretSource } from '../config.js';
import { checkModel } from './check-model.js';
import type { EnvEdit } from './dotenv.js';
import {
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

interface Choice {
  secret?: { key: SecretKey; value: string };
  baseUrl?: string;
  model?: string;
}

const KIND_LABEL: Record<SecretKey, string> = {
  ANTHROPIC_API_KEY: 'an Anthropic API key',
  CLAUDE_CODE_OAUTH_TOKEN: 'a Claude subscription token',
  ANTHROPIC_AUTH_TOKEN: 'a bearer token',
  OPENAI_API_KEY: 'an OpenAI-compatible API key',
};

/** Pure: a description of the configured model access (never the secret). */
export function describeModel(values: Record<string, string | undefined>): string | undefined {
  const openai = values.MODEL_API === 'openai';
  const key = SECRET_KEYS.find((k) => values[k] && (k === 'OPENAI_API_KEY') === openai);
  const base = openai ? values.OPENAI_BASE_URL : values.ANTHROPIC_BASE_URL;
  if (!key && !base) return undefined;
  const who = base ? base : 'Anthropic';
  const model = values.NANOCLAW_MODEL ? `, model ${values.NANOCLAW_MODEL}` : '';
  return `${key ? KIND_LABEL[key] : 'no credential'} for ${who}${model}`;
}

/** Pure: the .env edits for a verified choice. */
export function modelEdits(choice: Choice): EnvEdit[] {
  const edits: EnvEdit[] = SECRET_KEYS.map((key) => ({
    key,
    value: choice.secret?.key === key ? choice.secret.value : undefined,
    comment: `Model credential (${KIND_LABEL[key]}), verified by setup; host only, never in a sandbox`,
  }));
  edits.push({
    key: 'ANTHROPIC_BASE_URL',
    value: choice.baseUrl,
    comment: 'Anthropic-compatible model endpoint (e.g. Ollama)',
  });
  if (choice.model)
    edits.push({ key: 'NANOCLAW_MODEL', value: choice.model, comment: 'Model id the agent uses' });
  return edits;
}

function fromEnvironment(ctx: SetupContext): Choice | undefined {
  const key = SECRET_KEYS.find((k) => fromEnv(ctx, k));
  const baseUrl = ctx.options.baseUrl ?? fromEnv(ctx, 'ANTHROPIC_BASE_URL');
  const model = ctx.options.model ?? fromEnv(ctx, 'NANOCLAW_MODEL');
  if (!key && !baseUrl) return undefined;
  const value = key ? fromEnv(ctx, key) : undefined;
  return {
    ...(key && value ? { secret: { key, value } } : {}),
    ...(baseUrl ? { baseUrl } : {}),
    ...(model ? { model } : {}),
  };
}

async function askChoice(ctx: SetupContext): Promise<Choice | undefined> {
  const ask = ctx.ask;
  if (!ask) return undefined;
  const kind = await ask.choose(
    'How does NanoClaw reach the model?',
    [
      { value: 'api', label: 'An Anthropic API key (console.anthropic.com → API keys)' },
      {
        value: 'oauth',
        label:
          'A Claude subscription: run `claude setup-token` in another terminal, paste the token',
      },
      {
        value: 'url',
        label: 'Another Anthropic-compatible endpoint (Ollama, a proxy): its base URL',
      },
    ],
    'api',
  );
  if (kind === 'api')
    return { secret: { key: 'ANTHROPIC_API_KEY', value: await ask.secret('ANTHROPIC_API_KEY') } };
  if (kind === 'oauth') {
    return {
      secret: {
        key: 'CLAUDE_CODE_OAUTH_TOKEN',
        value: await ask.secret('CLAUDE_CODE_OAUTH_TOKEN'),
      },
    };
  }
  const baseUrl = await ask.text('Base URL', 'http://127.0.0.1:11434');
  const model = await ask.text('Model id (Ollama: see `ollama list`)', dotenv(ctx).NANOCLAW_MODEL);
  const token = await ask.secret('Bearer token, if the endpoint needs one (Enter for none)');
  return {
    baseUrl,
    ...(model ? { model } : {}),
    ...(token ? { secret: { key: 'ANTHROPIC_AUTH_TOKEN' as const, value: token } } : {}),
  };
}

const sourceOf = (choice: Choice): SecretSource => ({
  get: (key) => (choice.secret?.key === key ? choice.secret.value : undefined),
});

function validUrl(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

const NO_CREDENTIAL =
  'Give one in the environment of setup: ANTHROPIC_API_KEY=sk-ant-… nanoclaw setup --yes (or ' +
  'CLAUDE_CODE_OAUTH_TOKEN from `claude setup-token`), or --base-url http://127.0.0.1:11434 for ' +
  'Ollama; or run nanoclaw setup on a terminal to be asked.';

export const modelStep: Step = {
  id: 'model',
  title: 'Model access',
  done: async (ctx) => describeModel(dotenv(ctx)),
  requested: (ctx) =>
    ctx.options.baseUrl !== undefined ||
    ctx.options.model !== undefined ||
    ctx.options.change.includes('model') ||
    [...SECRET_KEYS, 'ANTHROPIC_BASE_URL', 'NANOCLAW_MODEL'].some((k) => envDiffers(ctx, k)),
  async run(ctx): Promise<StepOutcome> {
    const choice = fromEnvironment(ctx) ?? (await askChoice(ctx));
    if (!choice || (!choice.secret && !choice.baseUrl)) {
      return failed('no model credential or endpoint was given', NO_CREDENTIAL);
    }
    if (choice.baseUrl && !validUrl(choice.baseUrl)) {
      return failed(
        `${choice.baseUrl} is not an http(s) URL`,
        'Give the endpoint as http://host:port (Ollama: http://127.0.0.1:11434).',
      );
    }
    ctx.progress(
      `Sending a minimal request to ${choice.baseUrl ?? DEFAULT_UPSTREAM} through the model proxy…`,
    );
    const verdict = await checkModel(
      {
        upstreamUrl: choice.baseUrl ?? DEFAULT_UPSTREAM,
        secrets: sourceOf(choice),
        model: choice.model,
        envFile: ctx.envFile,
      },
      ctx.signal,
    );
    if (verdict.status === 'fail') return failed(verdict.detail, verdict.fix ?? '');
    if (verdict.status === 'warn') ctx.progress(`${verdict.detail} (${verdict.fix ?? ''})`);
    const changed = writeSettings(ctx, modelEdits(choice));
    return done(`${verdict.detail}; saved in ${ctx.envFile}`, changed);
  },
};
