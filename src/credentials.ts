/** Whether the host can reach a model: the check behind `npm start`'s and `nanoclaw run`'s advice. */
import type { Config } from './config.js';
import { DEFAULT_UPSTREAM, SECRET_KEYS, secretSource } from './config.js';

/** What the user must set before the assistant can answer (empty when all is well). */
export function credentialProblems(config: Config, env: NodeJS.ProcessEnv): string[] {
  // An OpenAI-compatible endpoint may need no key (Ollama, vLLM); a wrong one answers 401 in chat.
  if (config.modelApi === 'openai') return [];
  const secrets = secretSource(env, config.paths.env);
  if (SECRET_KEYS.some((key) => key !== 'OPENAI_API_KEY' && secrets.get(key))) return [];
  if (config.upstreamUrl !== DEFAULT_UPSTREAM) return [];
  return [
    `No model credential is configured. Set ANTHROPIC_API_KEY (an Anthropic API key) or ` +
      `CLAUDE_CODE_OAUTH_TOKEN (a Claude subscription token from \`claude setup-token\`) in ` +
      `${config.paths.env}: a running NanoClaw uses it from the next message on. Or set ` +
      `ANTHROPIC_BASE_URL (Ollama or another Anthropic-compatible endpoint) there and restart.`,
  ];
}
