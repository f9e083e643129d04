/**
 * The chat page for keyboard and screen-reader users, on a phone and in dark mode, in real
 * headless Chromium: Tab reaches everything in order with a visible focus ring, Enter sends,
 * Escape drops waiting files, controls have accessible names, text meets WCAG AA contrast (4.5:1)
 * in light and dark, and a 390 px wide screen needs no sideways scrolling.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from './support/browser.js';
import { setUpChats, startWebHarness, type WebHarness } from './support/web.js';

/** The colours of text and of the background it is drawn on (opacity folded in), per element. */
const COLOURS = `((selectors) => selectors.map((sel) => {
  const el = document.querySelector(sel);
  if (!el) return { sel, missing: true };
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  let bg = null;
  for (let node = el; node && !bg; node = node.parentElement) {
    const c = rgb(getComputedStyle(node).backgroundColor);
    if (c.length === 3 || c[3] > 0) bg = c.slice(0, 3);
  }
  let alpha = 1;
  for (let node = el; node; node = node.parentElement) alpha *= Number(getComputedStyle(node).opacity);
  return { sel, fg: rgb(getComputedStyle(el).color).slice(0, 3), bg: bg || [255, 255, 255], alpha };
}))`;

function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
}
function contrast(fg: number[], bg: number[], alpha: number): number {
  const seen = fg.map((c, i) => alpha * c + (1 - alpha) * (bg[i] ?? 0));
  const [a, b] = [luminance(seen), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

const TEXTS = [
  'body',
  'header h1',
  '#dashboard-link',
  '.msg.me .text',
  '.msg.me .meta',
  '.msg.bot .text',
  '.msg.bot .meta',
  '#send',
  '#attach',
  '#chat-note',
  'nav a[aria-current="page"]',
  'nav a .unread',
  '#usage',
];

describe.skipIf(!hasChromium())('chat page accessibility in Chromium', () => {
  let harness: WebHarness;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    harness = await startWebHarness({ replyDelayMs: 100 });
    setUpChats(harness);
    browser = await launchChromium();
  });
  afterEach(async () => page?.close());
  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  let said = 0;
  async function converse(p: Page) {
    await p.goto(harness.web.url);
    const text = `hello there ${++said}`;
    await p.locator('#input').fill(text);
    await p.keyboard.press('Enter');
    await p.locator('.msg.bot', { hasText: `ECHO: ${text}` }).waitFor();
  }

  async function checkContrast(p: Page, selectors: string[]) {
    const found = (await p.evaluate(`${COLOURS}(${JSON.stringify(selectors)})`)) as {
      sel: string;
      fg: number[];
      bg: number[];
      alpha: number;
      missing?: boolean;
    }[];
    const low = found
      .filter((f) => !f.missing)
      .map((f) => [f.sel, Math.round(contrast(f.fg, f.bg, f.alpha) * 100) / 100] as const)
      .filter(([, ratio]) => ratio < 4.5);
    expect(low).toEqual([]);
    return found.filter((f) => !f.missing).length;
  }

  it('walks the page with Tab in order, focus visible; Enter sends; Escape drops waiting files', async () => {
    page = await browser.newPage();
    await converse(page);
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const focused = (await page.evaluate(`(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return [el.id || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 20),
          el.matches(':focus-visible') && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2];
      })()`)) as [string, boolean];
      expect(focused[1], `focus ring on ${focused[0]}`).toBe(true);
      order.push(focused[0]);
      if (focused[0] === 'send') break;
    }
    expect(order).toEqual([
      'dashboard-link',
      'Main',
      'Alice (DM), telegram',
      'Family group, telegram · read-only, 1 unread',
      'messages',
      'attach',
      'input',
      'send',
    ]);
    // Escape in the composer drops files waiting to be sent, and nothing else.
    await page
      .locator('#file-input')
      .setInputFiles([{ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') }]);
    await page.locator('#pending li', { hasText: 'a.txt' }).waitFor();
    await page.locator('#input').fill('kept');
    await page.locator('#input').press('Escape');
    expect(await page.locator('#pending').isHidden()).toBe(true);
    expect(await page.locator('#input').inputValue()).toBe('kept');
  });

  it('names every control and region for screen readers', async () => {
    page = await browser.newPage();
    await converse(page);
    for (const [role, name] of [
      ['button', 'Attach files'],
      ['button', 'Send'],
      ['textbox', 'Message to Andy'],
      ['log', 'Messages'],
      ['navigation', 'Chats'],
      ['link', 'Dashboard'],
    ] as const) {
      expect(await page.getByRole(role, { name, exact: true }).count(), `${role} ${name}`).toBe(1);
    }
    await page.locator('#input').fill('[slow] take your time');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: "Stop the assistant's run" }).waitFor();
    await page.getByRole('button', { name: "Stop the assistant's run" }).click();
    await page.locator('.msg.bot', { hasText: 'Stopped.' }).waitFor();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`keeps text at 4.5:1 contrast or more (${scheme})`, async () => {
      page = await browser.newPage({ colorScheme: scheme });
      await converse(page);
      const body = (await page.evaluate(
        `getComputedStyle(document.body).backgroundColor`,
      )) as string;
      const rgb = (body.match(/\d+/g) ?? []).map(Number);
      expect(luminance(rgb) < 0.1).toBe(scheme === 'dark');
      expect(await checkContrast(page, TEXTS)).toBeGreaterThanOrEqual(10);
      // The Stop button while the agent works, and a read-only chat's note.
      await page.locator('#input').fill('[slow] working');
      await page.keyboard.press('Enter');
      await page.locator('#stop').waitFor();
      expect(await checkContrast(page, ['#stop', '#typing', '#elapsed'])).toBe(3);
      await page.locator('#stop').click();
      await page.goto(`${harness.web.url}/?chat=tg%3A-100`);
      await page.locator('#chat-note', { hasText: 'read-only' }).waitFor();
      expect(await checkContrast(page, ['#chat-note', '.msg.me .text, .msg.bot .text'])).toBe(2);
      await page.screenshot({ path: `/tmp/nanoclaw-web-${scheme}-contrast.png` });
    });
  }

  it('fits a 390 px wide phone screen without sideways scrolling (dark mode)', async () => {
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await converse(page);
    await page
      .locator('#input')
      .fill(
        'A long line that must wrap: ' +
          'word '.repeat(40) +
          'https://example.com/' +
          'x'.repeat(120),
      );
    await page.keyboard.press('Enter');
    await page.locator('.msg.bot', { hasText: 'ECHO: A long line' }).waitFor();
    const layout = (await page.evaluate(`(() => {
      const box = (sel) => { const r = document.querySelector(sel).getBoundingClientRect(); return [r.left, r.right, r.bottom]; };
      return { scroll: document.documentElement.scrollWidth, send: box('#send'), attach: box('#attach'),
        input: box('#input'), last: box('.msg.bot:last-of-type'), height: innerHeight };
    })()`)) as Record<string, number | number[]>;
    expect(layout.scroll).toBeLessThanOrEqual(390);
    for (const part of ['send', 'attach', 'input', 'last'] as const) {
      const [left, right, bottom] = layout[part] as number[];
      expect(left, part).toBeGreaterThanOrEqual(0);
      expect(right, part).toBeLessThanOrEqual(390);
      expect(bottom, part).toBeLessThanOrEqual(844);
    }
    expect(
      ((layout.input as number[])[1] ?? 0) - ((layout.input as number[])[0] ?? 0),
    ).toBeGreaterThan(200);
    await page.screenshot({ path: '/tmp/nanoclaw-web-mobile.png' });
  });
});
