/**
 * Channel credentials: every applied channel skill's required settings are present and look
 * right (the manifest's pattern, as `skills add` checks them), and, when the host runs, no
 * channel reports itself failed. `channelSettingProblems` is pure.
 */
import { readDotenv, type Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { ChatApi } from '../cli/chat-api.js';
import { findHostAddress } from '../cli/find-host.js';
import { appliedSkills } from '../skills/history.js';
import { openRepo } from '../skills/git.js';
import { loadSkill, type Manifest } from '../skills/manifest.js';
import { settingProblem } from '../skills/settings.js';
import { fail, pass, warn, type CheckResult } from './check.js';

const TITLE = 'Channel credentials';

/** Pure: what is missing or malformed, per applied channel skill, with the command that fixes it. */
export function channelSettingProblems(
  manifests: readonly Manifest[],
  values: Record<string, string | undefined>,
): { problem: string; fix: string }[] {
  const out: { problem: string; fix: string }[] = [];
  for (const m of manifests.filter((x) => x.kind === 'channel')) {
    for (const s of m.settings) {
      const value = values[s.name];
      const problem =
        value === undefined || value === ''
          ? s.required
            ? `${s.name} (${m.name}) is not set`
            : undefined
          : settingProblem(s, value);
      if (problem) {
        out.push({
          problem,
          fix: `nanoclaw skills add ${m.name} --yes --set ${s.name}=<value> (${s.obtain})`,
        });
      }
    }
  }
  return out;
}

function appliedChannelManifests(appRoot: string): Manifest[] {
  const applied = appliedSkills(openRepo(appRoot, { allowDirty: true }).skillCommits());
  return [...applied.keys()]
    .map((name) => loadSkill(appRoot, name).manifest)
    .filter((m) => m.kind === 'channel');
}

/** The running host's own view of its channels (connected, failed and why). */
async function liveProblems(config: Config, env: NodeJS.ProcessEnv): Promise<string[]> {
  const address = findHostAddress(config.home);
  if (!address.ok) return [];
  const token = env.WEB_TOKEN ?? readDotenv(config.paths.env).WEB_TOKEN;
  const status = await new ChatApi(address.url, token).status();
  return status.channels
    .filter((c) => c.state === 'failed')
    .map((c) => `${c.name} failed: ${c.summary}`);
}

export async function checkChannels(config: Config, env: NodeJS.ProcessEnv): Promise<CheckResult> {
  let manifests: Manifest[];
  try {
    manifests = appliedChannelManifests(config.appRoot);
  } catch (error) {
    return warn(
      'channels',
      TITLE,
      `applied skills unknown (${errorMessage(error)})`,
      'Run NanoClaw from its git checkout.',
    );
  }
  const values = { ...readDotenv(config.paths.env), ...env };
  const problems = channelSettingProblems(manifests, values);
  let live: string[] = [];
  try {
    live = await liveProblems(config, env);
  } catch (error) {
    live = [`the running host did not say (${errorMessage(error)})`];
  }
  if (problems.length === 0 && live.length === 0) {
    const names = ['web', ...manifests.map((m) => m.name)];
    return pass('channels', TITLE, `${names.join(', ')}: settings present`);
  }
  return fail(
    'channels',
    TITLE,
    [...problems.map((p) => p.problem), ...live].join('; '),
    [
      ...problems.map((p) => p.fix),
      ...(live.length
        ? ['nanoclaw logs --level warn shows why; fix the setting, then nanoclaw service restart']
        : []),
    ].join('\n'),
  );
}
