/** Finding the blocked entries of a mounted folder, on a real directory tree. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BLOCKED } from './mounts.js';
import { coverEntries, findShadows, type Shadow } from './shadows.js';

const byRel = (a: Shadow, b: Shadow) => a.rel.localeCompare(b.rel);

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
  const scan = (maxEntries = 1000, alsoHide: string[] = []) => {
    const result = findShadows(root, DEFAULT_BLOCKED, { maxEntries, alsoHide });
    return result.complete ? { shadows: result.shadows.sort(byRel) } : result;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-shadows-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('finds files and folders by name at any depth, in node_modules and .git too', () => {
    make('.env', 'K=1');
    make('.env.local', 'K=2');
    make('src/app.ts', 'x');
    make('app/.aws/credentials', 'k');
    make('a/b/c/credentials', 'k');
    make('a/b/c/d/e/f/g/h/.env', 'deep');
    make('node_modules/pkg/.env', 'in node_modules');
    make('.git/hooks/.ssh/id_rsa', 'in .git');
    fs.symlinkSync('/etc/hostname', path.join(root, 'id_rsa'));
    expect(scan()).toEqual({
      shadows: [
        { rel: '.env', kind: 'file' },
        { rel: '.env.local', kind: 'file' },
        { rel: '.git/hooks/.ssh', kind: 'dir' },
        { rel: 'a/b/c/credentials', kind: 'file' },
        { rel: 'a/b/c/d/e/f/g/h/.env', kind: 'file' },
        // The folder is covered as a whole; nothing inside it is listed.
        { rel: 'app/.aws', kind: 'dir' },
        { rel: 'node_modules/pkg/.env', kind: 'file' },
      ],
    });
  });

  it('a tree with more entries than the budget is an incomplete scan, not a partial one', () => {
    for (let i = 0; i < 30; i++) make(`bulk/f${i}`, '');
    make('zz/.ssh/id_rsa', 'k');
    expect(scan(33)).toEqual({ shadows: [{ rel: 'zz/.ssh', kind: 'dir' }] });
    expect(scan(32)).toEqual({ complete: false, reason: 'it has more than 32 entries' });
  });

  it.runIf(process.getuid?.() !== 0)('an unreadable folder makes the scan incomplete', () => {
    make('locked/.env', 'k');
    fs.chmodSync(path.join(root, 'locked'), 0o000);
    const result = scan();
    fs.chmodSync(path.join(root, 'locked'), 0o700);
    expect(result).toMatchObject({ complete: false, reason: /locked cannot be read \(EACCES\)/ });
  });

  it('also hides given folders that lie inside the mount (the data directory)', () => {
    make('data/groups/.env', 'inside the hidden folder: not listed');
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-outside-'));
    expect(scan(1000, [path.join(root, 'data'), outside])).toEqual({
      shadows: [{ rel: 'data', kind: 'dir' }],
    });
    fs.rmSync(outside, { recursive: true });
  });

  it('decides covers and folders to descend from directory entries alone (pure)', () => {
    const entry = (name: string, type: 'file' | 'dir' | 'link') =>
      ({
        name,
        isFile: () => type === 'file',
        isDirectory: () => type === 'dir',
      }) as fs.Dirent;
    const found = coverEntries(
      'p',
      [entry('.env', 'file'), entry('.ssh', 'dir'), entry('lib', 'dir'), entry('id_rsa', 'link')],
      DEFAULT_BLOCKED,
      new Set(['p/lib']),
    );
    expect(found).toEqual({
      shadows: [
        { rel: 'p/.env', kind: 'file' },
        { rel: 'p/.ssh', kind: 'dir' },
      ],
      descend: [],
    });
  });
});
