import { describe, expect, it } from 'vitest';
import { loadConfig, parseDotenv } from './config.js';

describe('config', () => {
  it('parses dotenv files like a user writes them', () => {
    expect(
      parseDotenv('# comment\nexport A=1\nB = "two words"\nC=\'x\'\nEMPTY=\nnot a line\n=bad\n'),
    ).toEqual({ A: '1', B: 'two words', C: 'x' });
  });

  it('names every bad setting and how to fix it', () => {
    const env = {
      NANOCLAW_HOME: '/tmp/nc-none',
      NANOCLAW_RUNTIME: 'vm',
      MAX_CONCURRENT_SANDBOXES: 'lots',
      MAX_SANDBOXES_PER_GROUP: '0',
      SANDBOX_UID: '0',
    };
    let message = '';
    try {
      loadConfig(env, '/app');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('NANOCLAW_RUNTIME must be one of auto, bwrap, docker, podman, apple');
    expect(message).toContain('MAX_CONCURRENT_SANDBOXES must be a number');
    expect(message).toContain('MAX_SANDBOXES_PER_GROUP must be greater than 0');
    expect(message).toContain('SANDBOX_UID must not be 0');
  });

  it('sandbox slots: 5 at once and 2 per group unless set', () => {
    const defaults = loadConfig({ NANOCLAW_HOME: '/tmp/nc-none' }, '/app');
    expect([defaults.maxConcurrentSandboxes, defaults.maxSandboxesPerGroup]).toEqual([5, 2]);
    const set = loadConfig(
      {
        NANOCLAW_HOME: '/tmp/nc-none',
        MAX_CONCURRENT_SANDBOXES: '8',
        MAX_SANDBOXES_PER_GROUP: '3',
      },
      '/app',
    );
    expect([set.maxConcurrentSandboxes, set.maxSandboxesPerGroup]).toEqual([8, 3]);
  });

  it('refuses to expose the web chat beyond loopback without a token', () => {
    expect(() =>
      loadConfig({ NANOCLAW_HOME: '/tmp/nc-none', WEB_HOST: '0.0.0.0' }, '/app'),
    ).toThrow(/WEB_TOKEN/);
    const ok = loadConfig(
      { NANOCLAW_HOME: '/tmp/nc-none', WEB_HOST: '0.0.0.0', WEB_TOKEN: 'x'.repeat(24) },
      '/app',
    );
    expect(ok.web).toEqual({ host: '0.0.0.0', port: 4480, token: 'x'.repeat(24) });
  });

  it('refuses a time zone the runtime does not know (it would silently mean UTC)', () => {
    expect(() => loadConfig({ NANOCLAW_HOME: '/tmp/nc-none', TZ: 'Mars/Olympus' }, '/app')).toThrow(
      /TZ: TZ is not a time zone: use an IANA name such as Europe\/Berlin/,
    );
    expect(loadConfig({ NANOCLAW_HOME: '/tmp/nc-none', TZ: 'Asia/Tokyo' }, '/app').timezone).toBe(
      'Asia/Tokyo',
    );
  });

  it('takes LOG_FORMAT auto (the default), json or pretty', () => {
    expect(loadConfig({ NANOCLAW_HOME: '/tmp/nc-none' }, '/app').logFormat).toBe('auto');
    expect(
      loadConfig({ NANOCLAW_HOME: '/tmp/nc-none', LOG_FORMAT: 'json' }, '/app').logFormat,
    ).toBe('json');
    expect(() => loadConfig({ NANOCLAW_HOME: '/tmp/nc-none', LOG_FORMAT: 'xml' }, '/app')).toThrow(
      /LOG_FORMAT must be auto, json or pretty/,
    );
  });

  it('keeps secrets out of the config object', () => {
    const config = loadConfig(
      { NANOCLAW_HOME: '/tmp/nc-none', ANTHROPIC_API_KEY: 'sk-secret' },
      '/app',
    );
    expect(JSON.stringify(config)).not.toContain('sk-secret');
  });

  it('MODEL_API=openai needs OPENAI_BASE_URL and NANOCLAW_MODEL; its key stays out of the config', () => {
    const home = { NANOCLAW_HOME: '/tmp/nc-none', OPENAI_API_KEY: 'sk-openai-secret' };
    expect(loadConfig(home, '/app')).toMatchObject({ modelApi: 'anthropic', openai: undefined });
    expect(() => loadConfig({ ...home, MODEL_API: 'openai' }, '/app')).toThrow(
      /MODEL_API=openai needs OPENAI_BASE_URL .* and NANOCLAW_MODEL/,
    );
    expect(() => loadConfig({ ...home, MODEL_API: 'gemini' }, '/app')).toThrow(
      /MODEL_API must be anthropic or openai/,
    );
    const config = loadConfig(
      {
        ...home,
        MODEL_API: 'openai',
        OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1',
        NANOCLAW_MODEL: 'qwen3-coder',
        OPENAI_MAX_TOKENS: '8192',
      },
      '/app',
    );
    expect(config.openai).toEqual({ baseUrl: 'http://127.0.0.1:11434/v1', maxTokens: 8192 });
    expect(JSON.stringify(config)).not.toContain('sk-openai-secret');
  });
});
