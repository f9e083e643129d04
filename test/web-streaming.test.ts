/**
 * A reply streams into the web chat as the model writes it: the real host (`nanoclaw start`,
 * bubblewrap, the real SDK CLI with partial messages) against a fake model that writes a word
 * every 150 ms, watched in real Chromium. Every state of the draft is recorded in the page, so
 * the test does not depend on when it looks. Then: a reply keeps its steps across a reload.
 * Saves /tmp/nanoclaw-web-streaming.png.
 */
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './support/browser.js';
import { tempHome } from './support/cli.js';
import {
  startFakeAnthropic,
  userTexts,
  latestInput,
  type FakeAnthropic,
} from './support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from './support/host-process.js';

const WORDS = Array.from({ length: 30 }, (_, i) => `w${String(i + 1).padStart(2, '0')}`);
const REPLY = `Here goes: ${WORDS.join(' ')} **the end**`;

describe.skipIf(!hasChromium())('web chat streaming (Chromium, real host and SDK)', () => {
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    fake = await startFakeAnthropic({
      wordPauseMs: 150,
      script: (body) =>
        userTexts(latestInput(body)).some((t) => t.includes('write slowly'))
          ? { text: REPLY }
          : undefined,
    });
    home = tempHome('nanoclaw-streaming-');
    host = await startHostProcess({
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-e2e-streaming-key',
      IDLE_TIMEOUT_MS: '2000',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop('SIGKILL');
    await fake?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows the reply growing word by word, then the whole reply in its place', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}/`);
    await page.locator('#input').waitFor();
    // Record every text the draft shows (evaluated through CDP: the page's CSP does not apply).
    await page.evaluate(`(() => {
      const seen = (window.drafts = []);
      new MutationObserver(() => {
        const text = document.querySelector('.msg.draft .text')?.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.getElementById('messages'), { subtree: true, childList: true, characterData: true });
    })()`);
    await page.locator('#input').fill('please write slowly');
    await page.keyboard.press('Enter');
    await page.locator('.msg.draft', { hasText: 'w05' }).waitFor({ timeout: 60_000 });
    await page.screenshot({ path: '/tmp/nanoclaw-web-streaming.png' });
    const reply = page.locator('.msg.bot:not(.draft)', { hasText: 'the end' });
    await reply.waitFor({ timeout: 30_000 });
    expect(await reply.locator('strong').textContent()).toBe('the end');
    expect(await page.locator('.msg.draft').count()).toBe(0);

    const drafts = (await page.evaluate('window.drafts')) as string[];
    // Many states before the last word was written, each growing from the one before.
    const unfinished = drafts.filter((t) => !t.includes(WORDS[WORDS.length - 1] as string));
    expect(unfinished.length).toBeGreaterThan(5);
    expect(unfinished[0]).toMatch(/^Here/);
    for (const [i, text] of unfinished.entries()) {
      if (i > 0) expect(text.startsWith(unfinished[i - 1] ?? '')).toBe(true);
    }
  }, 180_000);

  it('keeps what the agent did with its reply: the steps are there after a reload', async () => {
    const page = await browser.newPage();
    await page.goto(`${host.url}/`);
    await page.locator('#input').fill('RUN: echo kept-steps');
    await page.keyboard.press('Enter');
    const reply = page.locator('.msg.bot', { hasText: 'DONE: kept-steps' });
    await reply.waitFor({ timeout: 60_000 });
    const line = 'running Bash: scripted command';
    expect(await reply.locator('details.steps li').allTextContents()).toEqual([line]);
    await page.reload();
    const again = page.locator('.msg.bot', { hasText: 'DONE: kept-steps' });
    await again.waitFor();
    const steps = again.locator('details.steps');
    expect(await steps.getAttribute('open')).toBeNull();
    expect(await steps.locator('summary').textContent()).toBe('1 step');
    await steps.locator('summary').click();
    expect(await steps.locator('li').allTextContents()).toEqual([line]);
    // The question before it, and the first test's reply (no tools), have none.
    expect(await page.locator('.msg.bot', { hasText: 'the end' }).locator('details').count()).toBe(
      0,
    );
  }, 180_000);
});
