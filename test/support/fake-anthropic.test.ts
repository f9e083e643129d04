/**
 * The fake model's default rules (pure) and its wire format over real HTTP (TCP and a unix
 * socket): the SSE sequence the SDK CLI needs, JSON replies, other routes.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  defaultReply,
  startFakeAnthropic,
  type FakeAnthropic,
  type MessagesBody,
} from './fake-anthropic.js';

const REMINDER = { type: 'text', text: '<system-reminder>\nRUN: not me\n</system-reminder>' };
const user = (...texts: string[]) => ({
  role: 'user',
  content: [REMINDER, ...texts.map((text) => ({ type: 'text', text }))],
});
const body = (...messages: NonNullable<MessagesBody['messages']>): MessagesBody => ({ messages });
const toolTurn = { role: 'assistant', content: [{ type: 'tool_use' }] };

describe('defaultReply', () => {
  it('echoes the user texts after the last assistant message, without reminders', () => {
    const reply = defaultReply(
      body(user('old'), { role: 'assistant', content: 'hi' }, user('a', 'b'), {
        role: 'system',
        content: '# Environment',
      }),
    );
    expect(reply).toEqual({ text: 'ECHO: a / b' });
  });

  it('the last directive line decides: RUN, TOOL, AGENT', () => {
    expect(defaultReply(body(user('RUN: ls', 'say hi\nRUN: echo hi > out.txt')))).toEqual({
      toolUse: {
        name: 'Bash',
        input: { command: 'echo hi > out.txt', description: expect.any(String) },
      },
    });
    expect(defaultReply(body(user('TOOL: mcp__nanoclaw__send_message {"text":"hi"}')))).toEqual({
      toolUse: { name: 'mcp__nanoclaw__send_message', input: { text: 'hi' } },
    });
    expect(defaultReply(body(user('AGENT: echo sub')))).toEqual({
      toolUse: {
        name: 'Agent',
        input: expect.objectContaining({
          prompt: 'RUN: echo sub',
          subagent_type: 'general-purpose',
          run_in_background: true,
          description: expect.any(String),
        }),
      },
    });
  });

  it('a tool result gets DONE with its text, plus what the user added meanwhile', () => {
    const result = {
      role: 'user',
      content: [{ type: 'tool_result', content: [{ type: 'text', text: 'hi\n' }] }],
    };
    expect(defaultReply(body(user('RUN: x'), toolTurn, result))).toEqual({ text: 'DONE: hi' });
    const withFollowUp = {
      role: 'user',
      content: [...result.content, REMINDER, { type: 'text', text: 'also' }],
    };
    expect(defaultReply(body(user('RUN: x'), toolTurn, withFollowUp))).toEqual({
      text: 'DONE: hi | SAW: also',
    });
  });

  it('a task notification (inside a system reminder, as the CLI sends it) gets NOTIFIED', () => {
    const notice = {
      role: 'user',
      content: [
        {
          type: 'text',
          text: '<system-reminder>\n<task-notification>\n</task-notification>\n</system-reminder>',
        },
      ],
    };
    expect(defaultReply(body(user('AGENT: x'), toolTurn, notice))).toEqual({ text: 'NOTIFIED' });
  });
});

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(
  target: { url: string } | { socketPath: string },
  pathname: string,
  payload: unknown,
  method = 'POST',
): Promise<Answer> {
  const base = 'url' in target ? new URL(target.url) : undefined;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        method,
        path: pathname,
        ...(base ? { host: base.hostname, port: base.port } : target),
        headers: { 'content-type': 'application/json', 'x-api-key': 'placeholder-key' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  });
}

/** The `data:` payloads of an SSE stream, in order. */
function sseEvents(text: string): { type: string; index?: number }[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { type: string; index?: number });
}

describe('the fake over HTTP', () => {
  let fake: FakeAnthropic | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await fake?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    fake = undefined;
    dir = undefined;
  });

  it('streams every block with start, delta and stop, then message_delta and message_stop', async () => {
    fake = await startFakeAnthropic({
      script: () => ({ text: 'On it.', toolUse: { name: 'Bash', input: { command: 'ls' } } }),
    });
    const answer = await request(fake, '/v1/messages?beta=true', {
      model: 'm-1',
      stream: true,
      messages: [user('anything')],
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const events = sseEvents(answer.text).filter((e) => e.type !== 'ping');
    expect(events.map((e) => `${e.type}${e.index ?? ''}`)).toEqual([
      'message_start',
      'content_block_start0',
      'content_block_delta0',
      'content_block_stop0',
      'content_block_start1',
      'content_block_delta1',
      'content_block_stop1',
      'message_delta',
      'message_stop',
    ]);
    expect(answer.text).toContain('"stop_reason":"tool_use"');
    expect(answer.text).toContain('"partial_json":"{\\"command\\":\\"ls\\"}"');
    // Recorded as received: path without query, headers unredacted.
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': 'placeholder-key' },
      body: { model: 'm-1' },
    });
  });

  it('answers stream:false with a JSON message, and keeps a path prefix', async () => {
    fake = await startFakeAnthropic();
    const answer = await request(fake, '/proxy/anthropic/v1/messages', {
      messages: [user('hello')],
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'ECHO: hello' }],
      stop_reason: 'end_turn',
    });
  });

  it('count_tokens, unknown routes and bad bodies answer like the API', async () => {
    fake = await startFakeAnthropic();
    const count = await request(fake, '/v1/messages/count_tokens', { messages: [] });
    expect(JSON.parse(count.text)).toEqual({ input_tokens: 1 });
    const missing = await request(fake, '/v1/nothing', {});
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
    const bad = await request(fake, '/v1/messages', 'not json');
    expect(bad.status).toBe(400);
    expect(fake.requests).toHaveLength(3);
  });

  it('listens on a unix socket, and a script can be swapped at run time', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-anthropic-'));
    const socketPath = path.join(dir, 'model.sock');
    fake = await startFakeAnthropic({ socketPath });
    expect(fake.socketPath).toBe(socketPath);
    fake.setScript(() => ({ text: 'scripted' }));
    const answer = await request({ socketPath }, '/v1/messages', { messages: [user('x')] });
    expect(JSON.parse(answer.text)).toMatchObject({ content: [{ text: 'scripted' }] });
    fake.setScript(undefined);
    const plain = await request({ socketPath }, '/v1/messages', { messages: [user('x')] });
    expect(JSON.parse(plain.text)).toMatchObject({ content: [{ text: 'ECHO: x' }] });
  });
});
