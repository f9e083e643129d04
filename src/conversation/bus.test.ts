import { describe, expect, it } from 'vitest';
import { activityOf, describeTool } from './bus.js';

describe('activity shown in live views', () => {
  it('names tool calls as people read them', () => {
    expect(describeTool('Bash', 'npm test')).toBe('running Bash: npm test');
    expect(describeTool('WebSearch', 'sqlite fts5')).toBe('searching the web: sqlite fts5');
    expect(describeTool('mcp__nanoclaw__send_message', '')).toBe('using send_message');
    expect(describeTool('mcp__my_server__do_it', 'x')).toBe('using do_it: x');
    expect(describeTool('Unknown', '')).toBe('using Unknown');
  });

  it("maps a run's events, tagged with the team member, and drops internal-only text", () => {
    expect(activityOf('web:main', { type: 'tool', name: 'Read', summary: 'a.md' })).toEqual({
      chatId: 'web:main',
      kind: 'tool',
      text: 'reading: a.md',
    });
    const agent = { type: 'agent', agent: 'alpha', status: 'done', summary: 'ok' } as const;
    expect(activityOf('web:main', agent)).toEqual({
      chatId: 'web:main',
      kind: 'agent',
      agent: 'alpha',
      text: 'done: ok',
    });
    expect(activityOf('web:main', { type: 'text', text: '<internal>x</internal>' })).toBe(
      undefined,
    );
  });
});
