/** Measuring a run's folders on a real filesystem, and the cap on their growth. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { folderBytes, watchDisk } from './disk-watch.js';

describe('disk watch', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-disk-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('counts regular files in nested folders, not what symlinks point to', async () => {
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'a', 'one'), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir, 'a', 'b', 'two'), Buffer.alloc(234));
    fs.symlinkSync('/usr/bin', path.join(dir, 'link'));
    expect(await folderBytes([dir, path.join(dir, 'missing')])).toBe(1234);
  });

  it('reports growth past the cap once; existing content does not count', async () => {
    fs.writeFileSync(path.join(dir, 'old'), Buffer.alloc(4096));
    const over: number[] = [];
    const stop = watchDisk([dir], 2048, 10, (grown) => over.push(grown));
    await new Promise((r) => setTimeout(r, 5)); // the baseline is measured asynchronously
    fs.writeFileSync(path.join(dir, 'small'), Buffer.alloc(1024));
    await new Promise((r) => setTimeout(r, 50));
    expect(over).toEqual([]);
    fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(4096));
    await new Promise((r) => setTimeout(r, 50));
    expect(over).toEqual([5120]);
    fs.writeFileSync(path.join(dir, 'more'), Buffer.alloc(4096));
    await new Promise((r) => setTimeout(r, 50));
    expect(over).toHaveLength(1);
    stop();
  });
});
