/**
 * Files end to end in main's Telegram DM: the real host (bubblewrap, SDK CLI, fake model) and
 * the real adapter against the fake Bot API. A photo is fetched with getFile, saved into the
 * group's inbox and reaches the model as an image block; a file the agent writes in its sandbox
 * goes back to Telegram through `send_file` as a multipart sendDocument.
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
import { sentText, startE2e, type E2e } from './support/e2e.js';
import { DM_CHAT, messageUpdate, until } from './support/harness.js';

describe('telegram files end to end (host process, bwrap, SDK CLI, fake model, fake Bot API)', () => {
  let e2e: E2e;
  let host: HostProcess;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-tg-files-');
    // The host creates the main group; the DM joins it as pairing would.
    host = await startHostProcess(e2e.env);
    await e2e.cli(['groups', 'link', 'main', `telegram:${DM_CHAT.id}`]);
  });

  afterEach(() => {
    e2e.model.setScript(undefined);
  });

  afterAll(async () => {
    await host.stop('SIGKILL');
    await e2e.close();
  });

  it('a photo is saved into the inbox and reaches the model request as an image block', async () => {
    const fileId = e2e.telegram.addFile(JPEG, 'photos/file_7.jpg');
    const photo = [{ file_id: fileId, file_unique_id: 'u7', width: 1, height: 1 }];
    e2e.telegram.push(messageUpdate(DM_CHAT, { photo, caption: 'what is in this picture?' }));
    await until(
      () => e2e.sentTo(DM_CHAT.id).find((c) => sentText(c).includes('what is in this picture?')),
      60_000,
    );
    const withImage = requestsWithImage(e2e.model, JPEG);
    expect(withImage.length).toBeGreaterThan(0);
    const saved = savedInInbox(e2e.home, JPEG);
    expect(saved).toHaveLength(1);
    expect(path.basename(saved[0] ?? '')).toMatch(/photo\.jpg$/);
  }, 180_000);

  it('send_file delivers a file the agent wrote as a multipart sendDocument with its bytes', async () => {
    e2e.model.setScript(reportScript);
    e2e.telegram.push(messageUpdate(DM_CHAT, { text: 'SEND-THE-REPORT please' }));
    const sent = await e2e.telegram.waitFor('sendDocument', () => true, 90_000);
    expect(Number(sent.params.chat_id)).toBe(DM_CHAT.id);
    expect(sent.params.caption).toBe('the report');
    // Parsed from a multipart body: the file's name and exact bytes.
    expect(sent.files.document?.name).toBe('report.txt');
    expect(sent.files.document?.bytes.toString('utf8')).toBe(REPORT_BYTES);
    // The tool told the agent where the file went: the chat it is answering, not main's web chat.
    const done = await until(
      () => e2e.sentTo(DM_CHAT.id).find((c) => sentText(c).startsWith('DONE:')),
      60_000,
    );
    expect(sentText(done)).toContain(`telegram:${DM_CHAT.id}`);
  }, 180_000);
});
