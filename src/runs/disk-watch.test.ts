/** Measuring a run's folders on a real filesystem, and the cap on their growth. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { entryBytes, measureFolders, watchDisk, type DiskOver } from './disk-watch.js';

const KIB = 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(done: () => boolean): Promise<void> {
  while (!done()) await sleep(5);
}

describe('disk watch', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-disk-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (rel: string, bytes: number) =>
    fs.writeFileSync(path.join(dir, rel), Buffer.alloc(bytes, 1));

  it('counts files in nested folders and the folders themselves, not what symlinks point to', async () => {
    const empty = (await measureFolders([dir], 100)).bytes;
    fs.mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    const folders = (await measureFolders([dir], 100)).bytes;
    expect(folders).toBeGreaterThan(empty); // a folder occupies blocks too
    write('a/one', 100 * KIB);
    write('a/b/two', 28 * KIB);
    fs.symlinkSync('/usr/bin', path.join(dir, 'link'));
    const measured = await measureFolders([dir, path.join(dir, 'missing')], 100);
    expect(measured).toEqual({ bytes: folders + 128 * KIB });
  });

  it('counts preallocated blocks a file size hides, and hard links once', async () => {
    const file = path.join(dir, 'prealloc');
    fs.writeFileSync(file, '');
    execFileSync('fallocate', ['--keep-size', '-l', '1M', file]);
    expect(fs.statSync(file).size).toBe(0);
    expect((await measureFolders([dir], 100)).bytes).toBeGreaterThanOrEqual(1024 * KIB);
    fs.rmSync(file);
    write('one', 64 * KIB);
    for (let i = 0; i < 5; i++) fs.linkSync(path.join(dir, 'one'), path.join(dir, `link-${i}`));
    expect((await measureFolders([dir], 100)).bytes).toBe(64 * KIB);
  });

  it('a folder with more entries than its budget cannot be measured; each folder has its own', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-disk-other-'));
    for (let i = 0; i < 30; i++) fs.symlinkSync('x', path.join(dir, `l${i}`));
    for (let i = 0; i < 20; i++) fs.symlinkSync('x', path.join(other, `l${i}`));
    // 50 entries in all, but each folder is within 30: measurable.
    expect((await measureFolders([dir, other], 30)).unmeasurable).toBeUndefined();
    expect((await measureFolders([other, dir], 29)).unmeasurable).toEqual({
      folder: dir,
      reason: 'more than 29 entries',
    });
    fs.rmSync(other, { recursive: true });
  });

  it.runIf(process.getuid?.() !== 0)('an unreadable folder cannot be measured', async () => {
    fs.mkdirSync(path.join(dir, 'locked'));
    fs.chmodSync(path.join(dir, 'locked'), 0o000);
    const measured = await measureFolders([dir], 100);
    fs.chmodSync(path.join(dir, 'locked'), 0o700);
    expect(measured.unmeasurable?.reason).toMatch(/locked cannot be read \(EACCES\)/);
  });

  it('entry bytes: the larger of blocks and size; only files have a meaningful size (pure)', () => {
    const file = { isFile: () => true };
    expect(entryBytes({ ...file, size: 10, blocks: 8 })).toBe(4096);
    expect(entryBytes({ ...file, size: 10_000, blocks: 0 })).toBe(10_000);
    expect(entryBytes({ isFile: () => false, size: 10_000, blocks: 0 })).toBe(0);
  });

  /** A watch whose `measured(n)` resolves once n measurements (the baseline first) are done. */
  const watch = (maxEntries: number) => {
    const over: DiskOver[] = [];
    let count = 0;
    const waiters: { n: number; resolve: () => void }[] = [];
    const onMeasured = () => {
      count += 1;
      for (const w of waiters.filter((x) => x.n <= count)) w.resolve();
    };
    const options = { capBytes: 64 * KIB, maxEntries, intervalMs: 10, onMeasured };
    const stop = watchDisk([dir], options, (o) => over.push(o));
    const measured = (n: number) =>
      new Promise<void>((resolve) => (n <= count ? resolve() : waiters.push({ n, resolve })));
    return { over, stop, measured, count: () => count };
  };

  it('reports growth past the cap once; existing content does not count', async () => {
    write('old', 256 * KIB);
    const { over, stop, measured, count } = watch(100);
    await measured(1); // the baseline
    write('small', 16 * KIB);
    await measured(count() + 2); // one measurement certainly after the write
    expect(over).toEqual([]);
    write('big', 64 * KIB);
    await until(() => over.length > 0);
    expect(over).toEqual([{ kind: 'grown', bytes: 80 * KIB }]);
    write('more', 64 * KIB);
    await sleep(50);
    expect(over).toHaveLength(1); // reported once; the watch has ended
    stop();
  });

  it('counts a folder that grows past its entry budget as over the cap', async () => {
    const { over, stop, measured } = watch(20);
    await measured(1);
    expect(over).toEqual([]);
    for (let i = 0; i < 25; i++) fs.symlinkSync('x', path.join(dir, `l${i}`));
    write('fill', 512 * KIB); // would be seen, but the budget is gone first
    await until(() => over.length > 0);
    expect(over).toEqual([{ kind: 'unmeasurable', folder: dir, reason: 'more than 20 entries' }]);
    stop();
  });

  it('a baseline that cannot be measured is over the cap too', async () => {
    for (let i = 0; i < 25; i++) fs.symlinkSync('x', path.join(dir, `l${i}`));
    const { over, stop, measured } = watch(20);
    await measured(1);
    expect(over).toEqual([{ kind: 'unmeasurable', folder: dir, reason: 'more than 20 entries' }]);
    stop();
  });
});
