/**
 * Files end to end in main's Slack DM: the real host (bubblewrap, SDK CLI, fake model) and the
 * real adapter against the fake Slack. An image shared in the DM is downloaded with the bot
 * token, saved into the group's inbox and reaches the model as an image block; a file the agent
 * writes in its sandbox goes back to Slack through `send_file` as a files.uploadV2 upload.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContentBlock, MessagesBody } from '../../support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { startE2e, type E2e } from './support/e2e.js';
import { DM, messageEvent, until } from './support/harness.js';

/** A 1×1 JPEG (the host and the runner check an image by its magic bytes). */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////' +
    '////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB' +
    'PxA=',
  'base64',
);

const REPORT = '/workspace/group/report.txt';
const REPORT_BYTES = 'quarterly numbers: 42\n';

/** "SEND-THE-REPORT": write the report with Bash, then send_file it; else the default script. */
function reportScript(body: MessagesBody) {
  const messages = body.messages ?? [];
  if (!JSON.stringify(messages).includes('SEND-THE-REPORT')) return undefined;
  const calls = messages
    .flatMap((m) => (typeof m.content === 'string' ? [] : m.content))
    .filter((b: ContentBlock) => b.type === 'tool_use');
  if (calls.length === 0) {
    const command = `printf 'quarterly numbers: 42\\n' > ${REPORT}`;
    return { toolUse: { name: 'Bash', input: { command, description: 'write the report' } } };
  }
  if (calls.length === 1) {
    return {
      toolUse: { name: 'mcp__nanoclaw__send_file', input: { path: REPORT, caption: 'the report' } },
    };
  }
  return undefined;
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

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
    const image = {
      type: 'image',
      source: { type: 'base64', media_type: 'image/jpeg', data: JPEG.toString('base64') },
    };
    const withImage = e2e.model.requests.filter((r) =>
      JSON.stringify(r.body).includes(JSON.stringify(image)),
    );
    expect(withImage.length).toBeGreaterThan(0);
    const saved = filesUnder(path.join(e2e.home, 'groups', 'main', 'inbox')).filter((f) =>
      fs.readFileSync(f).equals(JPEG),
    );
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
