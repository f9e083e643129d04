/**
 * Files on the chat page in real headless Chromium, driven like a user: attach with the button
 * (the file chooser) or by dropping, remove a chip, send; the file lands in the group's inbox and
 * shows as a download; the assistant's HTML file downloads, never renders.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { groupPaths } from '../src/groups/workspace.js';
import { hasChromium, launchChromium } from './support/browser.js';
import { HOSTILE_FILE, startWebHarness, type WebHarness } from './support/web.js';

const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489',
  'hex',
);

describe.skipIf(!hasChromium())('chat page files in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    harness = await startWebHarness({ replyDelayMs: 300 });
    browser = await launchChromium();
  });
  afterEach(async () => page?.close());
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('attaches with the button, removes a chip, sends; the file is in the inbox and downloads', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (
      await chooser
    ).setFiles([
      { name: 'chart.png', mimeType: 'image/png', buffer: PNG },
      { name: 'oops.txt', mimeType: 'text/plain', buffer: Buffer.from('not this one') },
    ]);
    await page.locator('#pending li', { hasText: 'oops.txt' }).waitFor();
    await page.getByRole('button', { name: 'Remove oops.txt' }).click();
    expect(await page.locator('#pending li').allTextContents()).toEqual([
      `chart.png (${PNG.length} bytes)×`,
    ]);
    await page.locator('#input').fill('see the chart');
    await page.keyboard.press('Enter');
    const mine = page.locator('.msg.me', { hasText: 'see the chart' });
    await mine.locator('.files a', { hasText: 'chart.png' }).waitFor();
    // The "[file: …]" line gives way to the link; the chips are gone.
    expect(await mine.locator('.text').textContent()).toBe('see the chart');
    expect(await page.locator('#pending').isHidden()).toBe(true);
    const [stored] = harness.store.messages.history('web:main', 5);
    expect(stored?.attachments?.map((a) => [a.kind, a.name])).toEqual([['photo', 'chart.png']]);
    const rel = (stored?.attachments?.[0]?.path ?? '').replace('/workspace/group/', '');
    expect(fs.readFileSync(path.join(groupPaths(harness.config, 'main').groupDir, rel))).toEqual(
      PNG,
    );
    await page.screenshot({ path: '/tmp/nanoclaw-web-files.png' });
    const download = page.waitForEvent('download');
    await mine.getByRole('link', { name: `Download chart.png, ${PNG.length} bytes` }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('chart.png');
    expect(fs.readFileSync((await saved.path()) ?? '')).toEqual(PNG);
  });

  it('takes files dropped on the page and sends them without text', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    const transfer = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped notes'], 'notes.txt', { type: 'text/plain' }));
      return dt;
    })()`);
    await page.dispatchEvent('#messages', 'dragover', { dataTransfer: transfer });
    expect(await page.locator('body.dropping').count()).toBe(1);
    await page.dispatchEvent('#messages', 'drop', { dataTransfer: transfer });
    await page.locator('#pending li', { hasText: 'notes.txt (13 bytes)' }).waitFor();
    expect(await page.locator('body.dropping').count()).toBe(0);
    await page.locator('#send').click();
    await page.locator('.msg.me .files a', { hasText: 'notes.txt' }).waitFor();
    const last = harness.store.messages.history('web:main', 1)[0];
    expect([last?.content, last?.attachments?.[0]?.size]).toEqual(['', 13]);
  });

  it("shows the assistant's HTML file as a download that never renders", async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#input').fill('[send-file] the report');
    await page.keyboard.press('Enter');
    const link = page.locator('.msg.bot .files a', { hasText: 'report.html' });
    await link.waitFor();
    const download = page.waitForEvent('download');
    await link.click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe('report.html');
    expect(fs.readFileSync((await saved.path()) ?? '')).toEqual(HOSTILE_FILE.bytes);
    // Its script never ran anywhere: still one page, with its own title.
    expect(browser.contexts().flatMap((c) => c.pages())).toHaveLength(1);
    expect(await page.title()).toBe('Andy · NanoClaw');
    // Opened directly, the browser still downloads it (attachment), it does not show it.
    const direct = page.waitForEvent('download');
    const href = (await link.getAttribute('href')) ?? '';
    await page.evaluate(`window.open(${JSON.stringify(href)})`);
    expect((await direct).suggestedFilename()).toBe('report.html');
  });
});
