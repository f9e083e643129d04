import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { workerNames, workerPrompt } from './delegate.js';

describe('delegate: the pure parts', () => {
  it('names each worker once: given names, else worker-<n>', () => {
    expect(workerNames([{ prompt: 'a', name: 'scout' }, { prompt: 'b' }])).toEqual([
      'scout',
      'worker-2',
    ]);
    const twice = () =>
      workerNames([
        { prompt: 'a', name: 'x' },
        { prompt: 'b', name: 'x' },
      ]);
    expect(twice).toThrow(UserError);
    expect(twice).toThrow(/Two sub-tasks are named "x"/);
  });

  it("tells the worker its role and where it may write, before the lead's sub-task", () => {
    const ro = workerPrompt('scout', 'RUN: ls', false);
    expect(ro.split('\n')).toEqual([
      expect.stringMatching(/^<worker name="scout">.*read-only.*\/workspace\/scratch.*<\/worker>$/),
      'RUN: ls',
    ]);
    expect(workerPrompt('scout', 'x', true)).toContain('You may write the group folder');
  });
});
