import { describe, expect, it } from 'vitest';
import { taskLabel, taskOfSender, taskSender } from './label.js';

describe('task labels', () => {
  it('labels a task answer with its shortened prompt, and reads it back', () => {
    const sender = taskSender('Andy', { prompt: '  Morning\n digest  ' });
    expect(sender).toBe('Andy · task: Morning digest');
    expect(taskOfSender(sender)).toBe('Morning digest');
    expect(taskLabel('x'.repeat(60))).toBe(`${'x'.repeat(47)}…`);
  });

  it('finds no task in an ordinary sender name', () => {
    expect(taskOfSender('Andy')).toBeUndefined();
    expect(taskOfSender('researcher')).toBeUndefined();
    expect(taskOfSender(' · task: x')).toBeUndefined();
  });
});
