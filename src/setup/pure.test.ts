/** Setup's, doctor's and uninstall's pure decisions. */
import { describe, expect, it } from 'vitest';
import { channelSettingProblems } from './check-channels.js';
import { modelVerdict } from './check-model.js';
import { diskVerdict, modeProblems } from './checks-data.js';
import { gitVerdict, nodeVerdict } from './checks-env.js';
import { editEnvText, ENV_HEADER } from './dotenv.js';
import { parseChange, setupOptions } from './options.js';
import { formatEvent } from './progress.js';
import { addRoot, parseAllowEntry } from './steps-mounts.js';
import { describeModel, modelEdits } from './steps-model.js';
import { assistantProblem } from './steps-assistant.js';
import { uninstallPlan, type UninstallFacts } from './uninstall.js';
import { parseManifest } from '../skills/manifest.js';

const target = {
  upstreamUrl: 'https://api.anthropic.com',
  model: 'm',
  kind: 'api-key' as const,
  envFile: '/h/.env',
};
const errorBody = (message: string) =>
  JSON.stringify({ type: 'error', error: { type: 'x', message } });

describe('modelVerdict', () => {
  it('passes a 200 and names who answered', () => {
    const r = modelVerdict({ status: 200, body: '{}' }, target);
    expect(r.status).toBe('pass');
    expect(r.detail).toContain('Anthropic answered');
  });

  it('a refused API key gets the console link and the .env to edit', () => {
    const r = modelVerdict({ status: 401, body: errorBody('invalid x-api-key') }, target);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('invalid x-api-key');
    expect(r.fix).toContain('console.anthropic.com/settings/keys');
    expect(r.fix).toContain('/h/.env');
  });

  it('a refused subscription token says to run claude setup-token again', () => {
    const r = modelVerdict(
      { status: 401, body: errorBody('expired') },
      { ...target, kind: 'oauth' },
    );
    expect(r.fix).toContain('claude setup-token');
  });

  it('an endpoint that does not answer: start it, or fix the URL', () => {
    const local = { ...target, upstreamUrl: 'http://127.0.0.1:11434' };
    const body = errorBody(
      'NanoClaw could not reach the model endpoint http://127.0.0.1:11434: connect ECONNREFUSED. Check ANTHROPIC_BASE_URL and that the endpoint is running.',
    );
    const r = modelVerdict({ status: 502, body }, local);
    expect(r.detail).toBe('http://127.0.0.1:11434 does not answer (connect ECONNREFUSED)');
    expect(r.fix).toContain('ollama serve');
    expect(modelVerdict({ status: 502, body }, target).fix).toContain('api.anthropic.com');
  });

  it('an unknown model points at NANOCLAW_MODEL; a rate limit is only a warning', () => {
    expect(modelVerdict({ status: 404, body: errorBody('model: m') }, target).fix).toContain(
      'NANOCLAW_MODEL',
    );
    expect(modelVerdict({ status: 429, body: errorBody('slow down') }, target).status).toBe('warn');
    expect(modelVerdict({ status: 529, body: errorBody('overloaded') }, target).status).toBe(
      'fail',
    );
  });
});

describe('machine verdicts', () => {
  it('judges Node versions like scripts/prepare.mjs', () => {
    expect(nodeVerdict('18.19.0').status).toBe('fail');
    expect(nodeVerdict('20.20.2').status).toBe('warn');
    expect(nodeVerdict('22.1.0').status).toBe('pass');
    expect(nodeVerdict('24.0.0').status).toBe('pass');
    expect(nodeVerdict('23.0.0').status).toBe('warn');
  });

  it('git: missing fails with the install command; not a checkout warns', () => {
    expect(gitVerdict(undefined, false).fix).toContain('apt-get install git');
    expect(gitVerdict('2.39', false).status).toBe('warn');
    expect(gitVerdict('2.39', true).status).toBe('pass');
  });

  it('permissions: a readable .env or database, a writable folder, a foreign owner', () => {
    const facts = [
      { path: '/h', kind: 'dir' as const, mode: 0o40711, uid: 5, secret: false },
      { path: '/h/.env', kind: 'file' as const, mode: 0o100644, uid: 5, secret: true },
      { path: '/h/groups', kind: 'dir' as const, mode: 0o40777, uid: 5, secret: false },
      { path: '/h/nanoclaw.db', kind: 'file' as const, mode: 0o100600, uid: 6, secret: true },
    ];
    expect(modeProblems(facts, 5)).toEqual([
      { problem: '/h/.env is 644 (readable by others)', fix: 'chmod 600 /h/.env' },
      { problem: '/h/groups is 777 (writable by others)', fix: 'chmod 711 /h/groups' },
      { problem: '/h/nanoclaw.db belongs to uid 6', fix: 'chown 5 /h/nanoclaw.db' },
    ]);
    expect(modeProblems(facts.slice(0, 1), 5)).toEqual([]);
  });

  it('disk: under 512 MB fails, under 2 GB warns', () => {
    const mb = 1024 * 1024;
    expect(diskVerdict(100 * mb, '/').status).toBe('fail');
    expect(diskVerdict(1000 * mb, '/').status).toBe('warn');
    expect(diskVerdict(5000 * mb, '/').status).toBe('pass');
  });
});

describe('channel credentials', () => {
  const manifest = parseManifest(
    {
      name: 'chat',
      kind: 'channel',
      version: '1.0.0',
      description: 'd',
      settings: [
        {
          name: 'CHAT_TOKEN',
          description: 't',
          secret: true,
          obtain: 'Ask the bot father.',
          pattern: '\\d+:[a-z]+',
        },
        {
          name: 'CHAT_ROOT',
          description: 'r',
          secret: false,
          obtain: 'o',
          pattern: 'https://.+',
          required: false,
        },
      ],
    },
    'test',
  );

  it('a missing or malformed required setting names the skills add command', () => {
    const [missing] = channelSettingProblems([manifest], {});
    expect(missing?.problem).toBe('CHAT_TOKEN (chat) is not set');
    expect(missing?.fix).toContain('nanoclaw skills add chat --yes --set CHAT_TOKEN=<value>');
    expect(missing?.fix).toContain('Ask the bot father.');
    const [bad] = channelSettingProblems([manifest], { CHAT_TOKEN: 'nope' });
    expect(bad?.problem).toContain('does not look right');
    expect(bad?.problem).not.toContain('nope');
  });

  it('optional settings may be absent; present ones must match', () => {
    expect(channelSettingProblems([manifest], { CHAT_TOKEN: '1:abc' })).toEqual([]);
    expect(
      channelSettingProblems([manifest], { CHAT_TOKEN: '1:abc', CHAT_ROOT: 'ftp://x' }),
    ).toHaveLength(1);
  });
});

describe('the .env editor', () => {
  it('a new file gets the header, then each setting under its comment', () => {
    const text = editEnvText('', [{ key: 'A', value: '1', comment: 'what A is' }]);
    expect(text).toBe(`${ENV_HEADER.join('\n')}\n\n# what A is\nA=1\n`);
  });

  it('keeps lines it does not own, replaces owned ones in place, removes on undefined', () => {
    const before = '# mine\nTELEGRAM_BOT_TOKEN=1:x\nexport A=old\nB=gone\n\nC = 3\n';
    const after = editEnvText(before, [
      { key: 'A', value: 'new value', comment: 'a' },
      { key: 'B', value: undefined, comment: 'b' },
      { key: 'D', value: "it's", comment: 'd' },
    ]);
    expect(after).toBe(
      "# mine\nTELEGRAM_BOT_TOKEN=1:x\nA='new value'\n\nC = 3\n\n# d\nD=\"it's\"\n",
    );
  });

  it('refuses values that would break the file', () => {
    expect(() => editEnvText('', [{ key: 'A', value: 'a\nB=1', comment: 'c' }])).toThrow(
      /one line/,
    );
  });
});

describe('setup decisions', () => {
  it('choosing a subscription token removes an older API key and base URL', () => {
    const edits = modelEdits({ secret: { key: 'CLAUDE_CODE_OAUTH_TOKEN', value: 't' } });
    const byKey = Object.fromEntries(edits.map((e) => [e.key, e.value]));
    expect(byKey).toEqual({
      ANTHROPIC_API_KEY: undefined,
      CLAUDE_CODE_OAUTH_TOKEN: 't',
      ANTHROPIC_AUTH_TOKEN: undefined,
      ANTHROPIC_BASE_URL: undefined,
    });
  });

  it('describes the model access without the secret', () => {
    const text = describeModel({ ANTHROPIC_API_KEY: 'sk-secret', NANOCLAW_MODEL: 'm1' });
    expect(text).toBe('an Anthropic API key for Anthropic, model m1');
    expect(describeModel({ ANTHROPIC_BASE_URL: 'http://o:1' })).toBe(
      'no credential for http://o:1',
    );
    expect(describeModel({})).toBeUndefined();
  });

  it('validates name, zone and port', () => {
    expect(assistantProblem('Andy', 'Europe/Berlin', '4480')).toBeUndefined();
    expect(assistantProblem('@x', 'UTC', undefined)).toContain('not a name');
    expect(assistantProblem('Andy', 'Mars/Base', undefined)).toContain('not a time zone');
    expect(assistantProblem('Andy', 'UTC', '70000')).toContain('above 65535');
  });

  it('parses allowlist entries and merges a root without losing the rest', () => {
    expect(parseAllowEntry('~/p:rw', '/home/u')).toEqual({ path: '/home/u/p', readWrite: true });
    expect(parseAllowEntry('/srv/x', '/home/u')).toEqual({ path: '/srv/x', readWrite: false });
    const merged = addRoot(
      {
        allowedRoots: [
          { path: '/a', allowReadWrite: false },
          { path: '/srv/x', allowReadWrite: true },
        ],
        blockedPatterns: ['s'],
      },
      { path: '/srv/x', readWrite: false },
    );
    expect(merged.blockedPatterns).toEqual(['s']);
    expect(merged.allowedRoots).toEqual([
      { path: '/a', allowReadWrite: false },
      { path: '/srv/x', allowReadWrite: false, description: 'added by nanoclaw setup' },
    ]);
  });

  it('parses flags; --change names steps', () => {
    expect(parseChange(['model,service', 'turn'])).toEqual(['model', 'service', 'turn']);
    expect(() => parseChange(['modle'])).toThrow(/not a step/);
    expect(() => setupOptions({ service: true, 'no-service': true })).toThrow(/not both/);
    expect(setupOptions({ 'no-service': true, 'no-turn': true })).toMatchObject({
      service: false,
      turn: false,
    });
  });

  it('prints kept steps as already done and failures with their fix', () => {
    expect(
      formatEvent({ event: 'done', step: 'model', detail: 'x', changed: false, kept: true }),
    ).toBe('  ✓ already done: x\n');
    expect(formatEvent({ event: 'fail', step: 'model', detail: 'd', fix: 'f' })).toBe(
      '  ✗ d\n    fix: f\n',
    );
  });
});

describe('uninstallPlan', () => {
  const facts: UninstallFacts = {
    home: '/h',
    homeExists: true,
    service: {
      manager: 'systemd-user',
      name: 'nanoclaw',
      file: '/u/nanoclaw.service',
      installedAt: 't',
    },
    bwrapSandboxes: [],
    containers: [
      { engine: 'docker', ids: ['c1'] },
      { engine: 'podman', ids: [] },
    ],
    setup: {
      image: { engine: 'docker', tag: 'nanoclaw-agent:latest' },
      allowlistCreated: '/c/a.json',
    },
  };

  it('removes the service first and the data last, marking what is data', () => {
    const plan = uninstallPlan(facts);
    expect(plan.map((i) => [i.kind, i.data])).toEqual([
      ['service', false],
      ['containers', false],
      ['image', false],
      ['allowlist', true],
      ['data', true],
    ]);
  });

  it('lists nothing it did not make: no image or allowlist without the setup record', () => {
    const plan = uninstallPlan({
      ...facts,
      service: undefined,
      containers: [],
      setup: {},
      homeExists: false,
    });
    expect(plan).toEqual([]);
  });
});
