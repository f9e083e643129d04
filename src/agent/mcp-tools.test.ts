import { describe, expect, it } from 'vitest';
import type { HostClient, HostReply } from './host-client.js';
import { nanoclawTools } from './mcp-tools.js';

interface ToolAnswer {
  content: { type: string; text?: string }[];
  isError?: boolean;
}

/** A host that records calls and answers with a fixed reply. */
function recordingHost(reply: HostReply) {
  const calls: { path: string; body: unknown }[] = [];
  const host: HostClient = {
    async call(path, body) {
      calls.push({ path, body });
      return reply;
    },
  };
  return { host, calls };
}

async function callTool(host: HostClient, name: string, args: Record<string, unknown>) {
  const found = nanoclawTools(host).find((t) => t.name === name);
  if (!found) throw new Error(`no tool ${name}`);
  const handler = found.handler as (args: unknown, extra: unknown) => Promise<ToolAnswer>;
  return handler(args, undefined);
}

describe('send_message', () => {
  it('posts the text without <internal> parts, and the chat only when one is named', async () => {
    const { host, calls } = recordingHost({ ok: true });
    const answer = await callTool(host, 'send_message', {
      text: 'Working on it <internal>plan: check mail</internal>now',
    });
    expect(answer).toEqual({ content: [{ type: 'text', text: 'Message sent.' }] });
    await callTool(host, 'send_message', { text: 'hi', chat_id: 'web:family' });
    expect(calls).toEqual([
      { path: '/api/send_message', body: { text: 'Working on it now' } },
      { path: '/api/send_message', body: { text: 'hi', chatId: 'web:family' } },
    ]);
  });

  it("a refusal is an error result carrying the host's reason", async () => {
    const { host } = recordingHost({ ok: false, error: 'unknown or expired run capability' });
    const answer = await callTool(host, 'send_message', { text: 'hi' });
    expect(answer.isError).toBe(true);
    expect(answer.content[0]?.text).toContain('unknown or expired run capability');
  });

  it('sends nothing when only internal text was given', async () => {
    const { host, calls } = recordingHost({ ok: true });
    const answer = await callTool(host, 'send_message', { text: '<internal>x</internal> ' });
    expect(answer.content[0]?.text).toMatch(/Nothing to send/);
    expect(calls).toEqual([]);
  });
});

describe('send_file', () => {
  it('forwards path, caption and chat to the host route, and shows a refusal as an error', async () => {
    const { host, calls } = recordingHost({
      ok: true,
      sent: 'a.pdf',
      size: '3 KB',
      chat: 'web:main',
    });
    const args = { path: '/workspace/group/a.pdf', caption: 'Report', chat_id: 'web:main' };
    const answer = await callTool(host, 'send_file', args);
    expect(calls).toEqual([{ path: '/api/send_file', body: args }]);
    expect(answer.content[0]?.text).toContain('"sent": "a.pdf"');
    const refused = recordingHost({
      ok: false,
      error: 'Cannot send /etc/passwd: only files under /workspace/group/ can be sent.',
    });
    const no = await callTool(refused.host, 'send_file', { path: '/etc/passwd' });
    expect(no).toMatchObject({
      isError: true,
      content: [{ text: expect.stringContaining('only files under') }],
    });
  });
});

describe('the tool list', () => {
  it('has the messaging, group and task tools, each named once', () => {
    const names = nanoclawTools(recordingHost({ ok: true }).host).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['send_message', 'register_group']));
    expect(names).toContain('schedule_task');
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('delegate and speaking as oneself', () => {
  it('a lead is offered delegate, a worker is not', () => {
    const { host } = recordingHost({ ok: true });
    const names = (worker: boolean) => nanoclawTools(host, { worker }).map((t) => t.name);
    expect(names(false)).toContain('delegate');
    expect(names(true)).not.toContain('delegate');
    expect(names(true)).toContain('send_message');
  });

  it('forwards the sub-tasks to the host route and shows its results', async () => {
    const results = [{ name: 'a', status: 'done', answer: 'A' }];
    const { host, calls } = recordingHost({ ok: true, results });
    const args = { tasks: [{ prompt: 'find A', name: 'a' }, { prompt: 'find B' }] };
    const answer = await callTool(host, 'delegate', args);
    expect(calls).toEqual([{ path: '/api/delegate', body: args }]);
    expect(answer.content[0]?.text).toContain('"answer": "A"');
  });

  it('send_message passes the sender name when one is given', async () => {
    const { host, calls } = recordingHost({ ok: true });
    await callTool(host, 'send_message', { text: 'found it', as: 'researcher' });
    expect(calls).toEqual([
      { path: '/api/send_message', body: { text: 'found it', as: 'researcher' } },
    ]);
  });
});
