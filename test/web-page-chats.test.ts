/**
 * Every group's chats on the page in real headless Chromium, driven like a user: the chat list
 * with channels and unread counts, a read-only chat of another group, a reply as the bot into
 * main's Telegram chat (it goes out through the outbox to a recording stand-in channel), drafts
 * kept per chat, a scheduled task's answer labelled with its task.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../src/channels/channel.js';
import { taskSender } from '../src/scheduler/label.js';
import { hasChromium, launchChromium } from './support/browser.js';
import { recordingChannel, setUpChats, startWebHarness, type WebHarness } from './support/web.js';

describe.skipIf(!hasChromium())('chat list across channels in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;
  let page: Page;
  const sent: OutboundMessage[] = [];

  beforeAll(async () => {
    harness = await startWebHarness({ replyDelayMs: 200 });
    setUpChats(harness);
    harness.otherChannels.push(recordingChannel(sent));
    browser = await launchChromium();
  });
  afterEach(async () => page?.close());
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('lists every chat with its channel and unread count; another group’s chat is read-only', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    const family = page.getByRole('link', { name: 'Family group, telegram · read-only, 1 unread' });
    await family.waitFor();
    expect(
      await page
        .locator('#chats a')
        .evaluateAll((as) => as.map((a) => a.getAttribute('aria-label'))),
    ).toEqual(['Main', 'Alice (DM), telegram', 'Family group, telegram · read-only, 1 unread']);
    await page.screenshot({ path: '/tmp/nanoclaw-web-chats.png' });
    await family.click();
    await page.locator('.msg', { hasText: 'Dinner at 7?' }).waitFor();
    expect(await page.locator('#input').isDisabled()).toBe(true);
    expect(await page.locator('#attach').isHidden()).toBe(true);
    expect(await page.locator('#chat-note').textContent()).toBe(
      'Family group is a telegram chat of group family: shown read-only here.',
    );
    // Shown once: no longer unread; a new message there makes it unread again.
    await page.getByRole('link', { name: 'Main' }).click();
    await page.getByRole('link', { name: 'Family group, telegram · read-only' }).waitFor();
    harness.store.messages.insert({
      chatId: 'tg:-100',
      id: '0002',
      ts: Date.now(),
      senderId: 'tg:8',
      senderName: 'Dad',
      content: 'Yes!',
      fromAssistant: false,
    });
    await page.reload();
    await page
      .getByRole('link', { name: 'Family group, telegram · read-only, 1 unread' })
      .waitFor();
  });

  it('replies as the bot into main’s Telegram chat, marked as sent from the web', async () => {
    page = await browser.newPage();
    await page.goto(`${harness.web.url}/?chat=tg%3A42`);
    await page
      .locator('#chat-note', { hasText: 'goes out in telegram as Andy, the bot' })
      .waitFor();
    expect(await page.locator('#input').getAttribute('placeholder')).toBe(
      'Reply as Andy in Alice (DM)…',
    );
    await page.locator('#input').fill('On my way');
    await page.keyboard.press('Enter');
    const mine = page.locator('.msg.bot', { hasText: 'On my way' });
    await mine.waitFor();
    expect(await mine.locator('.meta').textContent()).toMatch(
      /^Andy · sent by you from the web · /,
    );
    await expect.poll(() => sent.map((m) => [m.chatId, m.text])).toEqual([['tg:42', 'On my way']]);
  });

  it('keeps a draft per chat across switching and reloads', async () => {
    page = await browser.newPage();
    await page.goto(harness.web.url);
    await page.locator('#input').fill('half-written for main');
    await page.getByRole('link', { name: 'Alice (DM), telegram' }).click();
    await page.waitForURL(/chat=tg%3A42/);
    expect(await page.locator('#input').inputValue()).toBe('');
    await page.locator('#input').fill('draft for Alice');
    await page.getByRole('link', { name: 'Main' }).click();
    await page.waitForURL((u) => !u.search.includes('tg'));
    expect(await page.locator('#input').inputValue()).toBe('half-written for main');
    await page.keyboard.press('Enter');
    await page.locator('.msg.me', { hasText: 'half-written for main' }).waitFor();
    await page.reload();
    await page.locator('.msg.me', { hasText: 'half-written for main' }).waitFor();
    expect(await page.locator('#input').inputValue()).toBe('');
    await page.goto(`${harness.web.url}/?chat=tg%3A42`);
    expect(await page.locator('#input').inputValue()).toBe('draft for Alice');
  });

  it('labels a scheduled task’s answer with its task', async () => {
    const sender = taskSender('Andy', { prompt: 'Morning digest' });
    harness.store.messages.enqueue('web:main', 'Three new mails.', sender, Date.now());
    page = await browser.newPage();
    await page.goto(harness.web.url);
    const answer = page.locator('.msg.bot.task', { hasText: 'Three new mails.' });
    await answer.waitFor();
    expect(await answer.locator('.task-label').textContent()).toBe(
      'Scheduled task: Morning digest',
    );
    expect(await answer.locator('.meta').textContent()).toMatch(
      /^Andy · .+ · Scheduled task: Morning digest$/,
    );
  });
});
