/**
 * What every channel skill's files end-to-end test shares: an image to send in, the model's
 * script that writes a report in the sandbox and sends it with `send_file`, and looks at where
 * the image went (the group's inbox on disk, the model's request as an image block).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ContentBlock, FakeAnthropic, MessagesBody } from './fake-anthropic.js';

/** A 1×1 JPEG (the host and the runner check an image by its magic bytes). */
export const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////' +
    '////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB' +
    'PxA=',
  'base64',
);

export const REPORT = '/workspace/group/report.txt';
export const REPORT_BYTES = 'quarterly numbers: 42\n';

/**
 * The model's script for "SEND-THE-REPORT": write the report with Bash, then send it with the
 * send_file tool (then the default script's final text). Other requests: the default script.
 */
export function reportScript(body: MessagesBody) {
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
    const input = { path: REPORT, caption: 'the report' };
    return { toolUse: { name: 'mcp__nanoclaw__send_file', input } };
  }
  return undefined;
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** The files in `group`'s inbox under `home` whose bytes are exactly `bytes`. */
export function savedInInbox(home: string, bytes: Buffer, group = 'main'): string[] {
  const inbox = path.join(home, 'groups', group, 'inbox');
  return filesUnder(inbox).filter((f) => fs.readFileSync(f).equals(bytes));
}

/** The model requests that carried `bytes` as a base64 image block of type `mime`. */
export function requestsWithImage(model: FakeAnthropic, bytes: Buffer, mime = 'image/jpeg') {
  const image = {
    type: 'image',
    source: { type: 'base64', media_type: mime, data: bytes.toString('base64') },
  };
  return model.requests.filter((r) => JSON.stringify(r.body).includes(JSON.stringify(image)));
}
