/**
 * Group and mount names over a real SQLite store: on macOS's case-insensitive disk `MAIN` and
 * `main` are one folder, so a name is refused when it is an existing or reserved one in another
 * case or Unicode spelling; existing groups keep working.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { openStore, type Store } from '../host.js';
import { folderKey, validateFolder } from '../store/groups.js';
import { checkChatId, registerGroup, removeGroup } from './manage.js';

describe('group and mount names', () => {
  let home: string;
  let config: Config;
  let store: Store;
  const add = (folder: string, chatId?: string) =>
    registerGroup(store, config, { folder, chatId }, new Date(), ['web', 'tg']);

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-names-'));
    config = loadConfig({ NANOCLAW_HOME: home }, process.cwd());
    store = openStore(config);
    store.groups.ensure(
      { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main' },
      new Date(),
    );
  });

  afterEach(() => {
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('folder keys ignore case and Unicode spelling', () => {
    expect(folderKey('MAIN')).toBe('main');
    expect(folderKey('\uff27lobal')).toBe('global'); // fullwidth G
    expect(folderKey('\u212Aids')).toBe('kids'); // Kelvin sign
    for (const reserved of ['global', 'Global', 'GLOBAL', 'gLoBaL'])
      expect(() => validateFolder(reserved)).toThrow(/not "global"/);
    // Look-alike letters are not folder names at all (only ASCII letters, digits, _ and -).
    for (const lookalike of ['m\u0430in', '\uff4d\uff41\uff49\uff4e', '\u212Aids', 'main\u200b'])
      expect(() => validateFolder(lookalike)).toThrow(/Invalid group folder/);
  });

  it('refuses a folder that is an existing group or main in another case', () => {
    add('Family');
    expect(() => add('family')).toThrow(/same folder as the existing group "Family"/);
    expect(() => add('FAMILY', 'web:other')).toThrow(/same folder/);
    expect(() => add('Family', 'web:other')).toThrow(/already exists/);
    expect(() => removeGroup(store, 'family')).toThrow('No group "family". Did you mean "Family"?');
    for (const folder of ['main', 'MAIN', 'Main'])
      expect(() => add(folder, `web:x-${folder}`)).toThrow(/main group's folder/);
    // The store's own insert refuses it too, whoever calls it.
    expect(() =>
      store.groups.ensure({ folder: 'fAmily', name: 'x', isMain: false }, new Date()),
    ).toThrow(/same folder/);
    expect(
      store.groups
        .list()
        .map((g) => g.folder)
        .sort(),
    ).toEqual(['Family', 'main']);
  });

  it('main cannot be taken before it exists, and existing pairs keep working', () => {
    store.groups.remove('main');
    expect(() => add('MAIN')).toThrow(/main group's folder/);
    // Data from before the check (two folders differing in case) stays readable and usable.
    store.db
      .prepare("INSERT INTO groups (folder, name, is_main, created_at) VALUES ('Work', 'W', 0, ?)")
      .run(new Date().toISOString());
    store.db
      .prepare("INSERT INTO groups (folder, name, is_main, created_at) VALUES ('work', 'w', 0, ?)")
      .run(new Date().toISOString());
    expect(store.groups.get('work')?.name).toBe('w');
    expect(store.groups.ensure({ folder: 'work', name: 'w', isMain: false }, new Date()).name).toBe(
      'w',
    );
  });

  it('accepts chat ids only of the channels given', () => {
    expect(checkChatId('tg:-100123', ['web', 'tg'])).toBe('tg:-100123');
    expect(() => checkChatId('telegram:123', ['web'])).toThrow(
      /Unknown channel "telegram" in chat id "telegram:123": this installation has web\. Add a channel with its skill/,
    );
    expect(() => checkChatId('no-colon', ['web'])).toThrow(
      /use <channel>:<id>.*channels here: web/,
    );
    expect(() => add('tele', 'telegram:1')).toThrow(/Unknown channel/);
    expect(store.groups.get('tele')).toBeUndefined();
  });

  it('refuses a mount name that differs from another of the group only in case', () => {
    store.mounts.set('main', { name: 'data', hostPath: '/srv/data', readWrite: false });
    expect(() =>
      store.mounts.set('main', { name: 'Data', hostPath: '/srv/other', readWrite: false }),
    ).toThrow(/differs from group main's mount "data" only in case/);
    store.mounts.set('main', { name: 'data', hostPath: '/srv/new', readWrite: true }); // replaces
    expect(store.mounts.list('main')).toEqual([
      { name: 'data', hostPath: '/srv/new', readWrite: true },
    ]);
  });
});
