/**
 * A file uploaded on the web chat, end to end through the real host in this process (the real
 * web channel, conversation service, bubblewrap sandbox, SDK CLI against the fake model): the
 * photo is saved in main's inbox and reaches the model as an image block, exactly as a photo
 * from a chat app does; the saved file downloads back through the API.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.js';
import { createWebChannel, type WebChannel } from '../src/channels/web/server.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { until } from './support/attacks.js';
import { APP_ROOT, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('web upload through the real host', () => {
  let fake: FakeAnthropic;
  let home: string;
  let app: App | undefined;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome();
  });
  afterAll(async () => {
    await app?.stop();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a photo uploaded on the page reaches the model as an image block, and downloads back', async () => {
    const env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-web-upload-e2e',
      WEB_PORT: '0',
      IDLE_TIMEOUT_MS: '1000',
    };
    let web: WebChannel | undefined;
    app = await startApp(loadConfig(env, APP_ROOT), env, silentLogger(), [
      (deps) => (web = createWebChannel(deps)),
    ]);
    const url = `${web?.url}/api/chats/web%3Amain/messages`;
    const form = new FormData();
    form.set('text', 'what is in this picture?');
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'holiday photo.png');
    const res = await fetch(url, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const request = await until(
      () => fake.requests.find((r) => JSON.stringify(r.body).includes(id)),
      120_000,
    );
    const body = JSON.stringify(request.body);
    expect(body).toContain(
      `"type":"image","source":{"type":"base64","media_type":"image/png","data":"${PNG.toString('base64')}"}`,
    );
    expect(body).toMatch(
      new RegExp(`path=\\\\"/workspace/group/inbox/[0-9-]+/${id}-holiday_photo\\.png\\\\"`),
    );
    const history = (await (await fetch(url)).json()) as {
      messages: { id: string; files: { url: string | null }[] }[];
    };
    const file = history.messages.find((m) => m.id === id)?.files[0]?.url ?? '';
    const back = await fetch(`${web?.url}${file}`);
    expect(back.headers.get('content-disposition')).toMatch(
      /^attachment; filename="holiday photo\.png"/,
    );
    expect(Buffer.from(await back.arrayBuffer())).toEqual(PNG);
  });
});
