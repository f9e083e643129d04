/**
 * Live unread counts in real headless Chromium: a message another channel stores in another chat
 * raises that chat's badge (and is announced to screen readers) without a reload, a chat new to
 * the list appears, a message in a chat no group answers shows nothing, opening a chat clears
 * its count (in another tab too), and what was stored while the stream was down is counted after
 * it reconnects.
 * The other channel is not running (none can here): the test stores and announces its messages
 * as the host does (store, then the bus).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium, untilInPage } from './support/browser.js';
import {
  setUpChats,
  startWebHarness,
  storeElsewhere as storeAt,
  type WebHarness,
} from './support/web.js';

const FAMILY = 'Family group, telegram · read-only';

describe.skipIf(!hasChromium())('live unread counts in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;
  let page: Page;
  let next = 10;

  /** Stores a message as another channel's would be, and announces it unless `quiet`. */
  const storeElsewhere = (chatId: string, content: string, quiet = false) =>
    storeAt(harness, chatId, String(next++).padStart(4, '0'), content, quiet);
  const labels = () =>
    page.locator('#chats a').evaluateAll((as) => as.map((a) => a.getAttribute('aria-label')));

  beforeAll(async () => {
    harness = await startWebHarness();
    setUpChats(harness);
    harness.store.messages.upsertChat('tg:999', 'telegram', 'Nobody’s group'); // no group answers it
    browser = await launchChromium();
  });
  afterEach(async () => page?.close());
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('raises a badge live, shows a new chat, and clears a count once the chat is opened', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.getByRole('link', { name: `${FAMILY}, 1 unread`, exact: true }).waitFor();
    // Marks this document: still there at the end means nothing reloaded the page.
    await page.evaluate('window.sameDocument = true');

    storeElsewhere('tg:-100', 'Yes!');
    await page.getByRole('link', { name: `${FAMILY}, 2 unread`, exact: true }).waitFor();
    expect(await page.locator('#chats-live').textContent()).toBe('Family group: 2 unread');
    expect(await page.locator('#chats-live').getAttribute('aria-live')).toBe('polite');

    storeElsewhere('tg:999', 'not for the web'); // no group: the list never shows it
    harness.store.groups.addChat('family', 'tg:-200', new Date());
    harness.store.messages.upsertChat('tg:-200', 'telegram', 'Cousins');
    storeElsewhere('tg:-200', 'Hello cousins');
    await page
      .getByRole('link', { name: 'Cousins, telegram · read-only, 1 unread', exact: true })
      .waitFor();
    await untilInPage(
      page,
      `document.getElementById('chats-live').textContent.includes('Cousins')`,
    );
    expect(await page.locator('#chats-live').textContent()).toBe('New chat Cousins: 1 unread');
    expect(await labels()).toEqual([
      'Main',
      'Alice (DM), telegram',
      `${FAMILY}, 2 unread`,
      'Cousins, telegram · read-only, 1 unread',
    ]);
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    await page.screenshot({ path: '/tmp/nanoclaw-web-unread.png' });

    await page.getByRole('link', { name: `${FAMILY}, 2 unread` }).click();
    await page.locator('.msg', { hasText: 'Yes!' }).waitFor();
    await page.getByRole('link', { name: 'Main', exact: true }).click();
    await page.waitForURL((u) => !u.search.includes('tg'));
    await page.getByRole('link', { name: FAMILY, exact: true }).waitFor();
    expect(await labels()).toEqual([
      'Main',
      'Alice (DM), telegram',
      FAMILY,
      'Cousins, telegram · read-only, 1 unread',
    ]);
  });

  it('counts again after the stream reconnects: a notice it missed is not lost', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.getByRole('link', { name: 'Alice (DM), telegram', exact: true }).waitFor();
    // Stored without its notice (as if sent while the stream was down): only a recount finds it.
    storeElsewhere('tg:42', 'While you were away', true);
    await harness.restart(); // closes the stream; the page reconnects to the new server
    await page.getByRole('link', { name: 'Alice (DM), telegram, 1 unread', exact: true }).waitFor();
  });

  it('a chat read in another tab stops counting here too', async () => {
    const context = await browser.newContext(); // one browser profile: localStorage is shared
    storeElsewhere('tg:42', 'Read me in the other tab', true);
    page = await context.newPage();
    await page.goto(harness.web.url);
    await page.getByRole('link', { name: /^Alice \(DM\), telegram, \d+ unread$/ }).waitFor();
    const other = await context.newPage();
    await other.goto(`${harness.web.url}/?chat=tg%3A42`);
    await other.locator('.msg', { hasText: 'Read me in the other tab' }).waitFor();
    await page.getByRole('link', { name: 'Alice (DM), telegram', exact: true }).waitFor();
    await context.close();
  });
});
