import { describe, expect, it } from 'vitest';
import { TeamTracker } from './team.js';

const secret = 'cap-secret-1234567890';
const tracker = () => new TeamTracker((t) => t.split(secret).join('[redacted]'));

describe('TeamTracker', () => {
  it('is busy from a background agent start until its notice', () => {
    const team = tracker();
    const started = team.observe({
      type: 'system',
      subtype: 'task_started',
      task_id: 't1',
      tool_use_id: 'u1',
      description: 'alpha',
      subagent_type: 'general-purpose',
      is_backgrounded: true,
    });
    expect(started).toEqual([
      { type: 'agent', agent: 'alpha', status: 'started', summary: 'alpha' },
    ]);
    expect(team.busy()).toBe(true);
    const notice = team.observe({
      type: 'system',
      subtype: 'task_notification',
      task_id: 't1',
      status: 'failed',
      summary: `boom ${secret}`,
    });
    expect(notice).toEqual([
      { type: 'agent', agent: 'alpha', status: 'failed', summary: 'boom [redacted]' },
    ]);
    expect(team.busy()).toBe(false);
  });

  it('takes the live set from background_tasks_changed (replace), ambient ones left out', () => {
    const team = tracker();
    team.observe({
      type: 'system',
      subtype: 'background_tasks_changed',
      tasks: [{ task_id: 'a' }],
    });
    expect(team.busy()).toBe(true);
    team.observe({
      type: 'system',
      subtype: 'background_tasks_changed',
      tasks: [{ task_id: 'w', ambient: true }],
    });
    expect(team.busy()).toBe(false);
  });

  it("tags a member's tool calls with its name; shell tasks are not members", () => {
    const team = tracker();
    team.observe({
      type: 'system',
      subtype: 'task_started',
      task_id: 't1',
      tool_use_id: 'u1',
      description: 'beta',
      task_type: 'local_agent',
    });
    expect(
      team.observe({ type: 'system', subtype: 'task_started', task_id: 'b1', description: 'ls' }),
    ).toEqual([]);
    const tools = team.observe({
      type: 'assistant',
      parent_tool_use_id: 'u1',
      message: {
        content: [{ type: 'tool_use', name: 'Bash', input: { command: `echo ${secret}` } }],
      },
    });
    expect(tools).toEqual([
      { type: 'tool', name: 'Bash', summary: 'echo [redacted]', agent: 'beta' },
    ]);
  });
});
