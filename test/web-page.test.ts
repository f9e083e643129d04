/**
 * The chat page in real headless Chromium (Debian's chromium driven by playwright-core):
 * type, see the reply stream in with a typing indicator, reload and keep the history, stay
 * safe with hostile text, show problems and errors, survive a host restart.
 */
import fs from 'node:fs';
import { untilInPage } from './support/browser.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from './support/web.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('web chat page in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    harness = await startWebHarness({ replyDelayMs: 700 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterEach(async () => {
    await page?.close();
    harness.problems.length = 0;
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('sends with Enter, shows typing, streams the reply in, keeps history after reload', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('.empty', { hasText: 'Say hello' }).waitFor();
    await page.locator('#input').fill('hello from chromium');
    await page.keyboard.press('Enter');
    await page.locator('.msg.me', { hasText: 'hello from chromium' }).waitFor();
    await page.locator('#typing.show', { hasText: 'Andy is typing…' }).waitFor();
    await page.locator('.msg.bot', { hasText: 'ECHO: hello from chromium' }).waitFor();
    await page.locator('#typing:not(.show)').waitFor();
    expect(await page.locator('#typing').textContent()).toBe('');
    expect(await page.locator('#input').inputValue()).toBe('');
    expect(await page.locator('.empty').count()).toBe(0);
    await page.screenshot({ path: '/tmp/nanoclaw-web.png' });
    await page.reload();
    await page.locator('.msg.bot', { hasText: 'ECHO: hello from chromium' }).waitFor();
    expect(await page.locator('.msg .text').allTextContents()).toEqual([
      'hello from chromium',
      'ECHO: hello from chromium',
    ]);
  });

  it('Shift+Enter makes a new line; newlines are kept when shown', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#input').click();
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    expect(await page.locator('#input').inputValue()).toBe('line one\nline two');
    await page.locator('#send').click();
    const mine = page.locator('.msg.me .text', { hasText: 'line two' });
    await mine.waitFor();
    expect(await mine.textContent()).toBe('line one\nline two');
    // Rendered on two lines, not joined into one.
    const box = await mine.boundingBox();
    const lineHeight = await page.evaluate(
      `parseFloat(getComputedStyle([...document.querySelectorAll('.msg.me .text')].pop()).lineHeight)`,
    );
    expect(box?.height ?? 0).toBeGreaterThanOrEqual(2 * Number(lineHeight) - 1);
  });

  it('shows message text as text, never as HTML', async () => {
    page = await browser.newPage();
    let alerted = false;
    page.on('dialog', (d) => {
      alerted = true;
      void d.dismiss();
    });
    await page.goto(harness.web.url);
    const hostile = '<img src=x onerror=alert(1)><b>bold</b>';
    await page.locator('#input').fill(hostile);
    await page.locator('#send').click();
    await page.locator('.msg.bot', { hasText: 'ECHO: <img' }).waitFor();
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await page.locator('.msg.me .text').last().textContent()).toBe(hostile);
    expect(alerted).toBe(false);
  });

  it("renders the agent's Markdown: headings, code in monospace with copy, tables, safe links", async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: harness.web.url,
    });
    page = await context.newPage();
    await page.goto(harness.web.url);
    const markdown = [
      '',
      '## Plan',
      '**bold** and _it_ and `npm test`',
      '```js',
      'const x = 1 < 2;',
      '```',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '[site](https://example.com/x) [bad](javascript:alert(1)) ![pic](https://example.com/p.png)',
      '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> <a href="https://evil.example" onclick="window.pwned = 3">raw</a>',
    ].join('\n');
    await page.locator('#input').fill(markdown);
    await page.keyboard.press('Enter');
    const reply = page.locator('.msg.bot .text').last();
    await reply.locator('h2', { hasText: 'Plan' }).waitFor();
    expect(await reply.locator('strong').textContent()).toBe('bold');
    expect(await reply.locator('em').textContent()).toBe('it');
    expect(await reply.locator('pre code').textContent()).toBe('const x = 1 < 2;\n');
    const font = await page.evaluate(
      `getComputedStyle(document.querySelector('.msg.bot:last-child pre code')).fontFamily`,
    );
    expect(font).toMatch(/mono/i);
    expect(await reply.locator('td').allTextContents()).toEqual(['1', '2']);
    const link = reply.locator('a', { hasText: 'site' });
    expect(await link.getAttribute('href')).toBe('https://example.com/x');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toContain('noopener');
    // Everything hostile is text: no javascript: link, no image loaded, no script, no handler.
    expect(await reply.locator('a').count()).toBe(1);
    expect(await page.locator('#messages img, #messages script').count()).toBe(0);
    const text = await reply.textContent();
    expect(text).toContain('bad');
    expect(text).toContain('[image: pic]');
    expect(text).toContain('<script>window.pwned = 1</script>');
    expect(text).toContain('onclick="window.pwned = 3"');
    expect(await page.evaluate('typeof window.pwned')).toBe('undefined');
    // What people type stays exactly as typed.
    expect(await page.locator('.msg.me .text').last().textContent()).toBe(markdown);
    await reply.locator('pre .copy').click();
    await reply.locator('pre .copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('const x = 1 < 2;\n');
    await page.screenshot({ path: '/tmp/nanoclaw-web-markdown.png' });
    await context.close();
  });

  it('shows what the agent does live with elapsed time, folds it afterwards, and stops it', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    const activity = (a: { kind: 'tool' | 'agent' | 'text'; text: string; agent?: string }) =>
      harness.bus.emit('activity', { chatId: 'web:main', ...a });
    await page.locator('#input').fill('first [slow]');
    await page.keyboard.press('Enter');
    await page.locator('#typing.show').waitFor();
    await page.locator('#stop').waitFor();
    activity({ kind: 'tool', text: 'running Bash: npm test' });
    await page.locator('#typing', { hasText: 'Andy: running Bash: npm test' }).waitFor();
    activity({ kind: 'agent', agent: 'alpha', text: 'started: look for bugs' });
    await page.locator('#typing', { hasText: 'alpha: started: look for bugs' }).waitFor();
    activity({ kind: 'text', text: 'Half way: **tests pass**' });
    await page.locator('.msg.draft strong', { hasText: 'tests pass' }).waitFor();
    await page.locator('#elapsed', { hasText: /^[1-9]\d* s$/ }).waitFor();
    await page.screenshot({ path: '/tmp/nanoclaw-web-activity.png' });
    await page.locator('#stop').click();
    const stopped = page.locator('.msg.bot', { hasText: 'Stopped.' });
    await stopped.waitFor();
    await page.locator('#stop').waitFor({ state: 'hidden' });
    expect(await page.locator('.msg.draft').count()).toBe(0);
    // The steps fold into the reply, collapsed, and open on demand.
    const steps = stopped.locator('details.steps');
    expect(await steps.getAttribute('open')).toBeNull();
    expect(await steps.locator('summary').textContent()).toMatch(/2 steps$/);
    await steps.locator('summary').click();
    expect(await steps.locator('li').allTextContents()).toEqual([
      'running Bash: npm test',
      'alpha: started: look for bugs',
    ]);
    // Nothing running any more: the API says so.
    const again = await fetch(`${harness.web.url}/api/chats/web%3Amain/stop`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: string }).error).toBe(
      'Nothing is running for this chat.',
    );
  });

  it('shows what the user must fix as a banner, and API errors inline', async () => {
    harness.problems.push('No model credential is configured. Set ANTHROPIC_API_KEY.');
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#banner', { hasText: 'ANTHROPIC_API_KEY' }).waitFor();
    expect(await page.locator('#banner').getAttribute('role')).toBe('alert');
    await page.locator('#input').fill('x'.repeat(8001));
    await page.keyboard.press('Enter');
    await page.locator('#error', { hasText: 'the limit is 8000' }).waitFor();
    // The text stays in the box so the user can shorten it.
    expect((await page.locator('#input').inputValue()).length).toBe(8001);
  });

  it('shows usage today and this month, per group, once there is any', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('.empty, .msg').first().waitFor();
    expect(await page.locator('#usage').isHidden()).toBe(true);
    const tokens = { input: 12_000, output: 300, cacheRead: 0, cacheWrite: 0 };
    for (const [group, usd] of [
      ['family', 0.5],
      ['main', 1.25],
    ] as const) {
      harness.store.usage.record({
        ts: Date.now(),
        group,
        runId: 'r',
        model: 'claude-haiku-4-5',
        tokens,
        costUsd: usd,
      });
    }
    harness.bus.emit('status');
    await page.locator('#usage', { hasText: 'Usage today: 24.6k tokens · $1.75' }).waitFor();
    expect(await page.locator('#usage').textContent()).toBe(
      'Usage today: 24.6k tokens · $1.75 — this month: 24.6k tokens · $1.75 ' +
        '(main 12.3k tokens · $1.25, family 12.3k tokens · $0.50)',
    );
  });

  it('shows a channel waiting to be linked with its QR code (a data: image the CSP allows)', async () => {
    // A 1×1 PNG stands in for the QR code a channel renders.
    const png =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const link = {
      instructions: 'scan the QR code with your phone',
      qrImage: `data:image/png;base64,${png}`,
    };
    harness.channels.push(
      {
        name: 'whatsapp',
        state: 'connecting',
        link,
        summary: 'waiting to be linked: scan the QR code with your phone',
      },
      // Anything but a PNG data URL is not shown.
      {
        name: 'evil',
        state: 'connecting',
        link: { instructions: 'x', qrImage: 'https://evil.example/x.png' },
        summary: 'x',
      },
    );
    try {
      page = await browser.newPage();
      await page.goto(harness.web.url);
      await page.locator('#banner', { hasText: 'whatsapp: waiting to be linked' }).waitFor();
      const qr = page.locator('#banner img.qr');
      // Loaded, not blocked by the page's CSP (a blocked image has no natural width).
      await untilInPage(page, `document.querySelector('#banner img.qr')?.complete === true`);
      expect(await qr.count()).toBe(1);
      expect(await qr.getAttribute('alt')).toBe('whatsapp QR code');
      const width = await page.evaluate(`document.querySelector('#banner img.qr').naturalWidth`);
      expect(width).toBe(1);
    } finally {
      harness.channels.length = 0;
    }
  });

  it('reconnects after the host restarts and catches up on what it missed', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('.msg').first().waitFor();
    await harness.restart();
    await page.locator('#connection', { hasText: 'Reconnecting' }).waitFor();
    // Stored while the page was disconnected (or just reconnecting): shown after catch-up.
    const stored = await fetch(`${harness.web.url}/api/chats/web%3Amain/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text":"while the page was away","senderName":"Alice"}',
    });
    expect(stored.status).toBe(201);
    await page.locator('.msg.bot', { hasText: 'ECHO: while the page was away' }).waitFor();
    await page.locator('#connection:empty').waitFor({ state: 'attached' });
    // Live again: a new message arrives without a reload.
    await page.locator('#input').fill('after the restart');
    await page.keyboard.press('Enter');
    await page.locator('.msg.bot', { hasText: 'ECHO: after the restart' }).waitFor();
  });

  it('lists the web chats and the chat group’s scheduled tasks', async () => {
    const now = Date.now();
    harness.store.groups.ensure(
      {
        folder: 'family',
        name: 'Family',
        isMain: false,
        chatId: 'web:family',
        requiresTrigger: true,
      },
      new Date(now),
    );
    harness.store.tasks.create(
      {
        id: 'task-page1',
        groupFolder: 'main',
        prompt: 'Morning digest',
        scheduleType: 'cron',
        scheduleValue: '0 9 * * 1-5',
        contextMode: 'isolated',
        script: undefined,
        missedPolicy: 'run-once',
        nextRun: now + 3600_000,
      },
      now,
    );
    const runId = harness.store.tasks.claim('task-page1', now + 3600_000, now + 7200_000, now);
    harness.store.tasks.finishRun(runId ?? 0, { status: 'success', result: 'ok' }, now);
    page = await browser.newPage({ colorScheme: 'dark' });
    await page.goto(harness.web.url);
    await page.locator('#tasks summary', { hasText: 'Scheduled tasks (1)' }).click();
    await page
      .locator('#task-list li', { hasText: 'Morning digest · cron 0 9 * * 1-5 · active' })
      .waitFor();
    expect(await page.locator('#task-list li').textContent()).toContain('recent: success');
    // Opening the task list shrank the message list: the newest message is still in view.
    await untilInPage(
      page,
      `(() => {
      const list = document.getElementById('messages');
      const last = list.lastElementChild;
      return last.getBoundingClientRect().bottom <= list.getBoundingClientRect().bottom + 1;
    })()`,
    );
    expect(await page.locator('#chats a').allTextContents()).toEqual(['Main', 'Family']);
    expect(await page.locator('#chats a[aria-current="page"]').textContent()).toBe('Main');
    await page.screenshot({ path: '/tmp/nanoclaw-web-dark.png' });
    await page.locator('#chats a', { hasText: 'Family' }).click();
    await page.locator('.empty').waitFor();
    expect(await page.locator('#input').getAttribute('placeholder')).toContain('start with @Andy');
    await page.locator('#input').fill('@Andy hello family');
    await page.keyboard.press('Enter');
    await page.locator('.msg.bot', { hasText: 'ECHO: @Andy hello family' }).waitFor();
    const family = harness.store.messages.history('web:family', 10);
    expect(family.map((m) => m.content)).toEqual([
      '@Andy hello family',
      'ECHO: @Andy hello family',
    ]);
  });
});
