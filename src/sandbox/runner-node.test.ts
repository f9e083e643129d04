import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRunnerNode } from './runner-node.js';

describe('prepareRunnerNode', () => {
  const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'nc-runner-node-'));

  it('makes an exec-only copy of node that still runs', async () => {
    const runDir = dir();
    const copy = prepareRunnerNode(runDir, process.execPath);
    expect(fs.statSync(copy).mode & 0o777).toBe(0o111);
    expect(fs.statSync(copy).size).toBe(fs.statSync(process.execPath).size);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync(copy, ['-p', '6*7'], { encoding: 'utf8' }).trim()).toBe('42');
  });

  it('reuses a current copy and replaces a stale or tampered one', () => {
    const runDir = dir();
    const source = path.join(runDir, 'fake-node');
    fs.writeFileSync(source, 'v1');
    const copy = prepareRunnerNode(runDir, source);
    const first = fs.statSync(copy).ino;
    expect(fs.statSync(prepareRunnerNode(runDir, source)).ino).toBe(first);
    fs.writeFileSync(source, 'v2 longer');
    prepareRunnerNode(runDir, source);
    fs.chmodSync(copy, 0o644);
    expect(fs.readFileSync(copy, 'utf8')).toBe('v2 longer');
    prepareRunnerNode(runDir, source);
    expect(fs.statSync(copy).mode & 0o777).toBe(0o111);
    expect(fs.readdirSync(runDir).sort()).toEqual(['fake-node', 'runner-node']);
  });
});
