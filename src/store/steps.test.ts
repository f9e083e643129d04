/** A reply's steps over a real SQLite file: kept, bounded, gone with the message, fail closed. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from './db.js';
import { MessageStore } from './messages.js';
import { MAX_STEPS, StepStore } from './steps.js';

describe('reply steps', () => {
  let dir: string;
  let db: Db;
  let steps: StepStore;
  let reply: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-steps-'));
    db = openDb(path.join(dir, 'state.db'));
    const messages = new MessageStore(db);
    messages.upsertChat('web:main', 'web', 'Main');
    reply = messages.enqueue('web:main', 'Done.', 'Andy', 1000).messageId;
    steps = new StepStore(db);
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the steps with their reply and gives them back by message', () => {
    steps.save('web:main', reply, [
      { at: 1, text: 'running Bash: npm test' },
      { at: 2, text: 'started: look for bugs', agent: 'alpha' },
    ]);
    steps.save('web:main', reply, []); // nothing to keep: the saved ones stay
    const found = steps.forMessages('web:main', [reply, 'a-unknown']);
    expect([...found.keys()]).toEqual([reply]);
    expect(found.get(reply)).toEqual([
      { at: 1, text: 'running Bash: npm test' },
      { at: 2, text: 'started: look for bugs', agent: 'alpha' },
    ]);
    expect(steps.forMessages('web:other', [reply]).size).toBe(0);
    expect(steps.forMessages('web:main', []).size).toBe(0);
  });

  it('bounds what it keeps, and a row that does not parse is left out', () => {
    const many = Array.from({ length: MAX_STEPS + 5 }, (_, i) => ({
      at: i,
      text: 'x'.repeat(900),
    }));
    steps.save('web:main', reply, many);
    const kept = steps.forMessages('web:main', [reply]).get(reply) ?? [];
    expect(kept).toHaveLength(MAX_STEPS);
    expect(kept[0]?.text.length).toBe(500);
    db.prepare('UPDATE message_steps SET steps = ?').run('{"not": "a list"');
    expect(steps.forMessages('web:main', [reply]).size).toBe(0);
  });

  it('refuses steps for a message that does not exist, and goes with its message', () => {
    expect(() => steps.save('web:main', 'a-missing', [{ at: 1, text: 'x' }])).toThrow(
      /FOREIGN KEY/,
    );
    steps.save('web:main', reply, [{ at: 1, text: 'x' }]);
    db.prepare('DELETE FROM messages WHERE id = ?').run(reply);
    expect(db.prepare('SELECT COUNT(*) AS n FROM message_steps').get()).toEqual({ n: 0 });
  });
});
