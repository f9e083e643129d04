/**
 * Files end to end in main's Discord DM: the real host (bubblewrap, SDK CLI, fake model) and
 * the real adapter against the fake Discord. An image attachment is downloaded from its URL,
 * saved into the group's inbox and reaches the model as an image block; a file the agent
 * writes in its sandbox goes back through `send_file` as a multipart message with its bytes.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  REPORT_BYTES,
  reportScript,
  requestsWithImage,
  savedInInbox,
} from '../../support/channel-files.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { DM } from './support/fake-discord.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { until } from './support/harness.js';

/** A 1×1 PNG (the host and the runner check an image by its magic bytes). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('discord files end to end (host process, bwrap, SDK CLI, fake model, fake Discord)', () => {
  let e2e: E2e;
  let host: HostProcess;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-dc-files-');
    host = await startHostProcess(e2e.env);
    await e2e.cli(['groups', 'link', 'main', `discord:${DM.id}`]);
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m);
  });

  afterEach(() => {
    e2e.model.setScript(undefined);
  });

  afterAll(async () => {
    await host.stop('SIGKILL');
    await e2e.close();
  });

  it('an image is saved into the inbox and reaches the model request as an image block', async () => {
    const file = e2e.discord.addFile(PNG, 'dot.png', 'image/png');
    e2e.discord.dmMessage('what is in this picture?', { attachments: [file] });
    await until(() => e2e.sentTo(DM.id, 'what is in this picture?')[0], 60_000);
    const withImage = requestsWithImage(e2e.model, PNG, 'image/png');
    expect(withImage.length).toBeGreaterThan(0);
    const saved = savedInInbox(e2e.home, PNG);
    expect(saved).toHaveLength(1);
    expect(path.basename(saved[0] ?? '')).toMatch(/dot\.png$/);
  }, 180_000);

  it('send_file delivers a file the agent wrote as a multipart message with its bytes', async () => {
    e2e.model.setScript(reportScript);
    e2e.discord.dmMessage('SEND-THE-REPORT please');
    const sent = await until(() => e2e.sentTo(DM.id).find((c) => c.files.length > 0), 90_000);
    expect(sent.body.content).toBe('the report');
    expect(sent.files.map((f) => [f.name, f.bytes.toString('utf8')])).toEqual([
      ['report.txt', REPORT_BYTES],
    ]);
    const done = await until(() => e2e.sentTo(DM.id, 'DONE:')[0], 60_000);
    expect(String(done.body.content)).toContain(`discord:${DM.id}`);
  }, 180_000);
});
