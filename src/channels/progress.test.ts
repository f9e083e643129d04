import { describe, expect, it } from 'vitest';
import { SendProgress } from './progress.js';

describe('send progress', () => {
  it('resumes a retried message after the parts already delivered, then forgets it', async () => {
    const progress = new SendProgress();
    const sent: number[] = [];
    let failAt = 2;
    const part = async (i: number) => {
      if (i === failAt) throw new Error(`part ${i} failed`);
      sent.push(i);
    };
    await expect(progress.run('m1', 4, part)).rejects.toThrow('part 2 failed');
    failAt = -1;
    await progress.run('m1', 4, part);
    expect(sent).toEqual([0, 1, 2, 3]); // 0 and 1 not again
    await progress.run('m1', 4, part); // delivered: a new send of the same id starts again
    expect(sent).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('remembers at most its limit, forgetting the oldest first', async () => {
    const progress = new SendProgress(2);
    const sent: string[] = [];
    const failSecond = (id: string) => async (i: number) => {
      if (i === 1) throw new Error('down');
      sent.push(`${id}${i}`);
    };
    for (const id of ['a', 'b', 'c']) {
      await expect(progress.run(id, 2, failSecond(id))).rejects.toThrow('down');
    }
    sent.length = 0;
    for (const id of ['a', 'c'])
      await progress.run(id, 2, async (i) => void sent.push(`${id}${i}`));
    expect(sent).toEqual(['a0', 'a1', 'c1']); // a was forgotten: sent from the start
  });
});
