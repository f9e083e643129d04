/** `.env.example` stays true: every setting it shows is real (documented, and its example loads). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';

const APP = path.resolve(import.meta.dirname, '..', '..');
const example = fs.readFileSync(path.join(APP, '.env.example'), 'utf8');
const settings = [...example.matchAll(/^# ([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => ({
  key: m[1] ?? '',
  value: m[2] ?? '',
}));

describe('.env.example', () => {
  it('lists every setting of the README configuration table, and only those', () => {
    const readme = fs.readFileSync(path.join(APP, 'README.md'), 'utf8');
    const table = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    const documented = new Set([...table.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]));
    const shown = new Set(settings.map((s) => s.key));
    expect([...shown].filter((k) => !documented.has(k) && k !== 'ANTHROPIC_AUTH_TOKEN')).toEqual(
      [],
    );
    // NANOCLAW_HOME says where the .env is, so it cannot be set inside it.
    expect([...documented].filter((k) => k && k !== 'NANOCLAW_HOME' && !shown.has(k))).toEqual([]);
  });

  it('its example values load as a valid configuration', () => {
    const env: Record<string, string> = {
      NANOCLAW_HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-example-')),
    };
    for (const { key, value } of settings) {
      if (value && !value.includes('...') && key !== 'NANOCLAW_MOUNT_ALLOWLIST') env[key] = value;
    }
    expect(Object.keys(env).length).toBeGreaterThan(20);
    const config = loadConfig(env, APP);
    expect(config.timezone).toBe('Europe/Berlin');
    expect(config.limits.memoryMb).toBe(4096);
    fs.rmSync(env.NANOCLAW_HOME ?? '', { recursive: true, force: true });
  });
});
