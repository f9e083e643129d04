/**
 * WhatsApp Cloud end to end: the real host process (`nanoclaw start`, the skill applied), real
 * bubblewrap sandboxes, the real SDK CLI and a fake model, with Meta played by signed webhooks
 * and the fake Graph API. A message to main's WhatsApp chat wakes the agent and its reply is a
 * Graph API send (with read + typing first); an image reaches the model as an image block; a
 * file the agent writes goes out as an uploaded document; a kill -9 mid-turn is answered
 * exactly once after the restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JPEG, reportScript, requestsWithImage } from '../../support/channel-files.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { startE2e, textOf, type E2e } from './support/e2e.js';
import { until } from './support/harness.js';
import {
  ANN,
  deliverUntilOk,
  mediaMessage,
  messagesPayload,
  textMessage,
} from './support/webhooks.js';

describe('whatsapp-cloud end to end (host process, bwrap, SDK CLI, fake model, fake Graph API)', () => {
  let e2e: E2e;
  let host: HostProcess;
  const send = (message: Record<string, unknown>) =>
    deliverUntilOk(e2e.webhook, messagesPayload(e2e.graph.phoneNumberId, { messages: [message] }));

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-wac-e2e-');
    host = await startHostProcess(e2e.env);
    // The number joins main as pairing would.
    await e2e.cli(['groups', 'link', 'main', `wacloud:${ANN.waId}`]);
  });

  afterAll(async () => {
    await host.stop('SIGKILL');
    await e2e.close();
  });

  it('a message wakes main and the reply arrives as a Graph API send, after read + typing', async () => {
    const message = textMessage('hello from whatsapp');
    await send(message);
    const reply = await until(() => e2e.textsTo(ANN.waId, 'hello from whatsapp')[0], 60_000);
    expect(textOf(reply)).toContain('ECHO:');
    const read = e2e.graph.calls.find((c) => c.body.status === 'read');
    expect(read?.body).toMatchObject({
      message_id: message.id,
      typing_indicator: { type: 'text' },
    });
    expect(read?.at).toBeLessThanOrEqual(reply.at);
  }, 120_000);

  it('an image is fetched through the Graph API and reaches the model as an image block', async () => {
    const id = e2e.graph.addMedia(JPEG, 'image/jpeg');
    await send(
      mediaMessage('image', { id, mime_type: 'image/jpeg', caption: 'what is in this picture?' }),
    );
    await until(() => e2e.textsTo(ANN.waId, 'what is in this picture?')[0], 60_000);
    const withImage = requestsWithImage(e2e.model, JPEG);
    expect(withImage.length).toBeGreaterThan(0);
  }, 120_000);

  it('send_file: the file is uploaded and sent as a document with its caption', async () => {
    e2e.model.setScript(reportScript);
    await send(textMessage('SEND-THE-REPORT please'));
    const doc = await e2e.graph.waitFor((c) => c.body.type === 'document', 90_000);
    e2e.model.setScript(undefined);
    const upload = e2e.graph.calls.find((c) => c.path.endsWith('/media'));
    expect(upload?.file?.bytes.toString('utf8')).toBe('quarterly numbers: 42\n');
    expect(doc.body).toMatchObject({
      to: ANN.waId,
      document: { filename: 'report.txt', caption: 'the report' },
    });
  }, 120_000);

  it('kill -9 during a turn: after a restart the message is answered exactly once', async () => {
    const before = e2e.model.requests.length;
    await send(textMessage('RUN: sleep 4; echo slept-once'));
    await until(() => e2e.model.requests.length > before, 60_000);
    await host.stop('SIGKILL');
    host = await startHostProcess(e2e.env);
    await until(() => e2e.textsTo(ANN.waId, 'slept-once').length > 0, 90_000);
    // Give a duplicate every chance to appear, then check there is none.
    await new Promise((r) => setTimeout(r, 3000));
    expect(e2e.textsTo(ANN.waId, 'slept-once')).toHaveLength(1);
  }, 180_000);
});
