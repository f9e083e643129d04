/** Debian's headless Chromium, driven by playwright-core, for the page tests. */
import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = () => fs.existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * Waits until `expression` is truthy in the page. Not page.waitForFunction: its polling
 * compiles the expression inside the page, which our pages' CSP (no unsafe-eval) refuses once
 * the first check is false; page.evaluate goes through the DevTools protocol and is allowed.
 */
export async function untilInPage(
  page: Page,
  expression: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting in the page for: ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
