/** Finding the blocked entries of a mounted folder, on a real directory tree. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKED } from './mounts.js';
import { findShadows } from './shadows.js';

describe('blocked entries inside a mount', () => {
  let root: string;
  const make = (rel: string, content?: string) => {
    const full = path.join(root, rel);
    if (content === undefined) fs.mkdirSync(full, { recursive: true });
    else {
      fs.mkdirSync(path.dirname(full), { recursive: true });
      fs.writeFileSync(full, content);
    }
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-shadows-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds files and folders by name at any depth up to four, skipping bulk folders', () => {
    make('.env', 'K=1');
    make('.env.local', 'K=2');
    make('src/app.ts', 'x');
    make('app/.aws/credentials', 'k');
    make('a/b/c/credentials', 'k');
    make('a/b/c/d/e/.env', 'too deep');
    make('node_modules/pkg/.env', 'skipped');
    make('.git/credentials', 'skipped');
    fs.symlinkSync('/etc/hostname', path.join(root, 'id_rsa'));
    const found = findShadows(root, DEFAULT_BLOCKED).sort((a, b) => a.rel.localeCompare(b.rel));
    expect(found).toEqual([
      { rel: '.env', kind: 'file' },
      { rel: '.env.local', kind: 'file' },
      { rel: 'a/b/c/credentials', kind: 'file' },
      // The folder is covered as a whole; nothing inside it is listed.
      { rel: 'app/.aws', kind: 'dir' },
    ]);
  });

  it('also hides given folders that lie inside the mount (the data directory)', () => {
    make('data/groups');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-outside-'));
    const found = findShadows(root, DEFAULT_BLOCKED, [path.join(root, 'data'), outside]);
    expect(found).toEqual([{ rel: 'data', kind: 'dir' }]);
    fs.rmSync(outside, { recursive: true });
  });
});
