/**
 * Files through the web chat API over real HTTP: uploads land in the group's inbox through the
 * host's attachment code (real files on disk, real SQLite), downloads serve only the files of the
 * chat's own messages, never rendered. The attacks on these routes are here too (SECURITY.md).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { groupPaths } from '../src/groups/workspace.js';
import { HOSTILE_FILE, startWebHarness, type WebHarness } from './support/web.js';

/** The smallest valid PNG header: the host sniffs it as an image. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
  'hex',
);

const messagesUrl = (url: string, chat = 'web%3Amain') => `${url}/api/chats/${chat}/messages`;

function form(text: string, files: { name: string; bytes: Buffer; type?: string }[]) {
  const body = new FormData();
  if (text) body.set('text', text);
  for (const f of files) body.append('file', new Blob([f.bytes], { type: f.type ?? '' }), f.name);
  return body;
}

const upload = (url: string, body: FormData, headers: Record<string, string> = {}, chat?: string) =>
  fetch(messagesUrl(url, chat), { method: 'POST', body, headers });

const errorOf = async (res: Response) => ((await res.json()) as { error: string }).error;

interface ApiFile {
  name: string;
  size: number;
  url: string | null;
}
async function history(url: string, chat = 'web%3Amain') {
  const res = await fetch(messagesUrl(url, chat));
  return ((await res.json()) as { messages: { id: string; text: string; files: ApiFile[] }[] })
    .messages;
}

/** A raw request (fetch normalizes `..` and forbids Origin/Host). */
function raw(url: string, pathname: string, method: string, headers: Record<string, string>) {
  const { port } = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: pathname, method, headers },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const inboxFiles = (harness: WebHarness, folder = 'main') => {
  const inbox = path.join(groupPaths(harness.config, folder).groupDir, 'inbox');
  return fs.existsSync(inbox) ? fs.readdirSync(inbox, { recursive: true, encoding: 'utf8' }) : [];
};

describe('web chat files', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it('uploads files with a message into the inbox, as the channels do, and serves them back', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    const res = await upload(
      harness.web.url,
      form('see the chart', [
        { name: 'chart.png', bytes: PNG, type: 'image/png' },
        { name: '../../notes.txt', bytes: Buffer.from('hello notes') },
      ]),
    );
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const [stored] = harness.store.messages.history('web:main', 5);
    expect(stored?.content).toBe('see the chart');
    // The host's names: message id, sanitized basename; an image is a photo (the model sees it).
    expect(stored?.attachments?.map((a) => [a.kind, a.mime, a.size])).toEqual([
      ['photo', 'image/png', PNG.length],
      ['document', 'text/plain', 11],
    ]);
    expect(stored?.attachments?.[0]?.path).toMatch(
      new RegExp(`^/workspace/group/inbox/\\d{4}-\\d\\d-\\d\\d/${id}-chart\\.png$`),
    );
    expect(stored?.attachments?.[1]?.path).toMatch(new RegExp(`/${id}-notes\\.txt$`));
    expect(inboxFiles(harness).filter((f) => f.includes(id))).toHaveLength(2);
    const [shown] = await history(harness.web.url);
    expect(shown?.text).toBe(
      `see the chart\n[file: chart.png, ${PNG.length} bytes]\n[file: ../../notes.txt, 11 bytes]`,
    );
    expect(shown?.files.map((f) => f.url)).toEqual([
      `/api/chats/web%3Amain/files/${id}/0`,
      `/api/chats/web%3Amain/files/${id}/1`,
    ]);
    const got = await fetch(harness.web.url + (shown?.files[0]?.url ?? ''));
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(PNG);
    expect(got.headers.get('content-type')).toBe('image/png');
    expect(got.headers.get('content-disposition')).toBe(
      `attachment; filename="chart.png"; filename*=UTF-8''chart.png`,
    );
    expect(got.headers.get('x-content-type-options')).toBe('nosniff');
    // The sender's "../../notes.txt" downloads as notes.txt, never as a path.
    const notes = await fetch(harness.web.url + (shown?.files[1]?.url ?? ''));
    expect(notes.headers.get('content-disposition')).toBe(
      `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`,
    );
    expect(notes.headers.get('content-type')).toBe('application/octet-stream');
    expect(await notes.text()).toBe('hello notes');
  });

  it("serves the assistant's files as downloads, HTML as octet-stream in a sandbox", async () => {
    harness = await startWebHarness({ replyDelayMs: 20 });
    await upload(harness.web.url, form('[send-file] the report please', []));
    let reply: ApiFile | undefined;
    while (!reply) {
      reply = (await history(harness.web.url)).find((m) => m.files.length)?.files[0];
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(reply).toMatchObject({ name: 'report.html', size: HOSTILE_FILE.bytes.length });
    const got = await fetch(harness.web.url + (reply.url ?? ''));
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="report\.html"/);
    expect(got.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await got.arrayBuffer())).toEqual(HOSTILE_FILE.bytes);
  });

  it('refuses empty, malformed and too many-file uploads with a clear error', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    const empty = await upload(harness.web.url, form('   ', []));
    expect(empty.status).toBe(400);
    expect(await errorOf(empty)).toMatch(/empty: type something or add a file/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `${i}.txt`, bytes: PNG }));
    const many = await upload(harness.web.url, form('', eleven));
    expect(many.status).toBe(400);
    expect(await errorOf(many)).toMatch(/At most 10 files/);
    const broken = await fetch(messagesUrl(harness.web.url), {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      body: 'not multipart at all',
    });
    expect(broken.status).toBe(400);
    expect(await errorOf(broken)).toMatch(/not valid multipart/);
    expect(harness.store.messages.history('web:main', 5)).toEqual([]);
  });
});

describe('web chat files: attacks', () => {
  let harness: WebHarness;
  afterEach(async () => harness?.close());

  it('refuses an oversized upload with 413 before storing anything', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000, env: { ATTACHMENT_MAX_MB: '1' } });
    const big = Buffer.alloc(1024 * 1024 + 1, 1);
    const res = await upload(harness.web.url, form('big', [{ name: 'big.bin', bytes: big }]));
    expect(res.status).toBe(413);
    expect(await errorOf(res)).toBe(
      'The upload is too large: the files of one message may have at most 1 MB together ' +
        '(ATTACHMENT_MAX_MB). Send fewer or smaller files.',
    );
    // Over the whole body's cap: refused unread (the connection is closed).
    const bigger = Buffer.alloc(2 * 1024 * 1024, 1);
    const unread = await upload(harness.web.url, form('', [{ name: 'b.bin', bytes: bigger }]));
    expect(unread.status).toBe(413);
    expect(harness.store.messages.history('web:main', 5)).toEqual([]);
    expect(inboxFiles(harness)).toEqual([]);
  });

  it('refuses a cross-origin upload, and one without the token', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    const { port } = new URL(harness.web.url);
    const foreign = await upload(harness.web.url, form('hi', [{ name: 'a.png', bytes: PNG }]), {
      origin: 'http://evil.example',
    });
    expect(foreign.status).toBe(403);
    const same = await upload(harness.web.url, form('hi', [{ name: 'a.png', bytes: PNG }]), {
      origin: `http://127.0.0.1:${port}`,
    });
    expect(same.status).toBe(201);
    expect(harness.store.messages.history('web:main', 5)).toHaveLength(1);
    await harness.close();
    harness = await startWebHarness({ env: { WEB_TOKEN: 'a-long-enough-web-token' } });
    const anonymous = await upload(harness.web.url, form('hi', [{ name: 'a.png', bytes: PNG }]));
    expect(anonymous.status).toBe(401);
    expect(inboxFiles(harness)).toEqual([]);
  });

  it("refuses another chat's file, path traversal in the id, and a planted symlink", async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    harness.store.groups.ensure(
      {
        folder: 'family',
        name: 'Family',
        isMain: false,
        chatId: 'web:family',
        requiresTrigger: false,
      },
      new Date(),
    );
    harness.store.messages.upsertChat('web:family', 'web', 'Family');
    const res = await upload(
      harness.web.url,
      form('x', [{ name: 'secret.txt', bytes: Buffer.from('family secret') }]),
      {},
      'web%3Afamily',
    );
    const { id } = (await res.json()) as { id: string };
    const own = await fetch(`${harness.web.url}/api/chats/web%3Afamily/files/${id}/0`);
    expect(await own.text()).toBe('family secret');
    // The same message id under another chat names nothing there.
    const other = await fetch(`${harness.web.url}/api/chats/web%3Amain/files/${id}/0`);
    expect(other.status).toBe(404);
    expect(await errorOf(other)).toMatch(/No file 0 on message/);
    const host = { host: new URL(harness.web.url).host };
    for (const id of [
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '%2Fetc%2Fpasswd',
      '..%5Cx',
      '%00',
      '%E0%A4%A',
    ]) {
      const traversal = await raw(
        harness.web.url,
        `/api/chats/web%3Amain/files/${id}/0`,
        'GET',
        host,
      );
      expect([traversal.status, traversal.body]).toEqual([
        400,
        '{"error":"Malformed message id in the path."}',
      ]);
    }
    const dotted = await raw(harness.web.url, '/api/chats/web%3Amain/files/../../0', 'GET', host);
    expect(dotted.status).toBe(404);
    const byPath = await raw(harness.web.url, '/api/chats/web%3Amain/files/x/..%2F1', 'GET', host);
    expect(byPath.status).toBe(404);
    // The agent swaps its inbox file for a symlink to a host secret: the host-file rules refuse it.
    const saved = harness.store.messages.message('web:family', id)?.attachments?.[0]?.path ?? '';
    const onHost = path.join(
      groupPaths(harness.config, 'family').groupDir,
      saved.replace('/workspace/group/', ''),
    );
    fs.rmSync(onHost);
    fs.symlinkSync('/etc/passwd', onHost);
    const planted = await fetch(`${harness.web.url}/api/chats/web%3Afamily/files/${id}/0`);
    expect(planted.status).toBe(403);
    expect(await errorOf(planted)).toBe(
      'secret.txt cannot be downloaded: the inbox file is a symlink, not a regular file.',
    );
    fs.rmSync(onHost);
    const removed = await fetch(`${harness.web.url}/api/chats/web%3Afamily/files/${id}/0`);
    expect(removed.status).toBe(410);
  });
});
