/**
 * Files end to end in main's Slack DM: the real host (bubblewrap, SDK CLI, fake model) and the
 * real adapter against the fake Slack. An image shared in the DM is downloaded with the bot
 * token, saved into the group's inbox and reaches the model as an image block; a file the agent
 * writes in its sandbox goes back to Slack through `send_file` as a files.uploadV2 upload.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  JPEG,
  REPORT_BYTES,
  reportScript,
  requestsWithImage,
  savedInInbox,
} from '../../support/channel-files.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { startE2e, type E2e } from './support/e2e.js';
import { DM, messageEvent, until } from './support/harness.js';

describe('slack files end to end (host process, bwrap, SDK CLI, fake model, fake Slack)', () => {
  let e2e: E2e;
  let host: HostProcess;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-slack-files-');
    host = await startHostProcess(e2e.env);
    await e2e.cli(['groups', 'link', 'main', `slack:${DM}`]);
  });

  afterEach(() => {
    e2e.model.setScript(undefined);
  });

  afterAll(async () => {
    await host.stop('SIGKILL');
    await e2e.close();
  });

  it('an image is downloaded with the bot token into the inbox and reaches the model as an image block', async () => {
    const file = e2e.slack.addFile(JPEG, 'cat.jpg', 'image/jpeg');
    e2e.slack.event(
      messageEvent(DM, { subtype: 'file_share', text: 'what is in this picture?', files: [file] }),
    );
    await until(() => e2e.posts(DM, 'what is in this picture?')[0], 60_000);
    const withImage = requestsWithImage(e2e.model, JPEG);
    expect(withImage.length).toBeGreaterThan(0);
    const saved = savedInInbox(e2e.home, JPEG);
    expect(saved).toHaveLength(1);
    expect(path.basename(saved[0] ?? '')).toMatch(/cat\.jpg$/);
    expect(e2e.slack.bytesServed()).toBe(JPEG.length);
  }, 180_000);

  it('send_file delivers the file the agent wrote through getUploadURLExternal, upload, completeUploadExternal', async () => {
    e2e.model.setScript(reportScript);
    e2e.slack.event(messageEvent(DM, { text: 'SEND-THE-REPORT please' }));
    await e2e.slack.waitFor('files.completeUploadExternal', () => true, 90_000);
    const [upload] = [...e2e.slack.uploads.values()];
    expect(upload).toMatchObject({ name: 'report.txt', channel: DM, comment: 'the report' });
    expect(upload?.bytes.toString('utf8')).toBe(REPORT_BYTES);
    const done = await until(() => e2e.posts(DM, 'DONE:')[0], 60_000);
    expect(String(done.params.text)).toContain(`slack:${DM}`);
  }, 180_000);
});
