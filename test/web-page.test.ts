/**
 * The chat page in real headless Chromium (Debian's chromium driven by playwright-core):
 * type, see the reply stream in with a typing indicator, reload and keep the history.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHarness, type WebHarness } from './support/web.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('web chat page in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startWebHarness({}, 700);
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

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('sends a message, shows typing, streams the reply in, keeps history after reload', async () => {
    const page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#input').fill('hello from chromium');
    await page.keyboard.press('Enter');
    await page.locator('.msg.me', { hasText: 'hello from chromium' }).waitFor();
    await page.locator('#typing.show').waitFor();
    await page.locator('.msg.bot', { hasText: 'ECHO: hello from chromium' }).waitFor();
    await page.locator('#typing').waitFor({ state: 'hidden' });
    expect(await page.locator('#input').inputValue()).toBe('');
    await page.screenshot({ path: '/tmp/nanoclaw-web.png' });
    await page.reload();
    await page.locator('.msg.bot', { hasText: 'ECHO: hello from chromium' }).waitFor();
    expect(await page.locator('.msg').count()).toBe(2);
    await page.close();
  });

  it('shows message text as text, never as HTML', async () => {
    const page = await browser.newPage();
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
    expect(await page.locator('.msg img, .msg b').count()).toBe(0);
    expect(await page.locator('.msg.me .text').last().textContent()).toBe(hostile);
    expect(alerted).toBe(false);
    await page.close();
  });

  it('lists the chat group’s scheduled tasks with their recent runs', async () => {
    const now = Date.now();
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
    const page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#tasks summary', { hasText: 'Scheduled tasks (1)' }).click();
    await page
      .locator('#task-list li', { hasText: 'Morning digest · cron 0 9 * * 1-5 · active' })
      .waitFor();
    expect(await page.locator('#task-list li').textContent()).toContain('recent: success');
    await page.close();
  });

  it('shows what the user must fix as a banner, and API errors inline', async () => {
    harness.problems.push('No model credential is configured. Set ANTHROPIC_API_KEY.');
    const page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#banner.show', { hasText: 'ANTHROPIC_API_KEY' }).waitFor();
    await page.locator('#input').fill('x'.repeat(8001));
    await page.keyboard.press('Enter');
    await page.locator('#error', { hasText: '8000' }).waitFor();
    harness.problems.length = 0;
    await page.close();
  });
});
