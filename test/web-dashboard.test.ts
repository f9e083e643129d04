/**
 * The dashboard in real Chromium against the real host (`nanoclaw start`, bubblewrap, the real
 * SDK CLI, a fake model): channels, groups with their policies, model and usage, tasks (a paused
 * one's reason, a failed pre-check's error), usage recorded by the gateway, the audit trail with a
 * filter, and a live run (chat, runtime, ticking elapsed time) stopped from the dashboard. Saves
 * screenshots (/tmp/nanoclaw-dashboard*.png) for a reviewer.
 */
import fs from 'node:fs';
import { untilInPage } from './support/browser.js';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import {
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!fs.existsSync(CHROMIUM))('dashboard (Chromium, real host)', () => {
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess;
  let browser: Browser;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome('nanoclaw-dashboard-');
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-e2e-dashboard-key',
      IDLE_TIMEOUT_MS: '2000',
    };
    host = await startHostProcess(env);
    const task = await runCli(
      ['tasks', 'add', '--group', 'main', '--every', '1d', '--prompt', 'Morning digest'],
      env,
    );
    expect(task.code, task.stderr).toBe(0);
    // A paused task: the dashboard says why.
    const paused = await runCli(
      ['tasks', 'add', '--group', 'main', '--every', '1d', '--prompt', 'Evening summary'],
      env,
    );
    const pausedId = /Scheduled (\S+) /.exec(paused.stdout)?.[1] ?? '';
    expect((await runCli(['tasks', 'pause', pausedId], env)).code).toBe(0);
    // A task whose pre-check fails (in its sandbox), run now: its last result says why.
    const failing = await runCli(
      [
        'tasks',
        'add',
        '--group',
        'main',
        '--every',
        '1d',
        '--prompt',
        'Disk report',
        '--script',
        'exit 3',
      ],
      env,
    );
    expect(failing.code, failing.stderr).toBe(0);
    const failingId = /Scheduled (\S+) /.exec(failing.stdout)?.[1] ?? '';
    expect((await runCli(['tasks', 'run', failingId], env)).code).toBe(0);
    // main's own model: the dashboard shows it as the group's, not as the default.
    const model = await runCli(['groups', 'set-model', 'main', 'claude-sonnet-4-5'], env);
    expect(model.code, model.stderr).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop('SIGKILL');
    await fake?.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('shows channels, policies, tasks, usage and the audit trail; stops a live run', async () => {
    await postMessage(host.url, 'web:main', 'hello dashboard');
    await waitForHistory(host.url, 'web:main', (m) => m.some((x) => x.fromAssistant));
    const page = await browser.newPage();
    await page.goto(`${host.url}/`);
    await page.locator('a', { hasText: 'Dashboard' }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.locator('#channels td', { hasText: 'web' }).waitFor();
    expect(await page.locator('#channels .state').first().textContent()).toBe('connected');
    const main = page.locator('#groups tr', { hasText: 'Main (main)' });
    await main.waitFor();
    expect(await main.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['web:main', 'every message', 'anyone', 'public', 'none']),
    );
    // Model and this month's usage: the set model (not marked default), the turn's tokens.
    const cells = await main.locator('td').allTextContents();
    expect(cells).toContain('claude-sonnet-4-5');
    expect(
      cells.some((c) => /^[1-9][\d.]*k? tokens · \$\d+\.\d\d$/.test(c)),
      cells.join(' | '),
    ).toBe(true);
    await page.locator('#tasks td', { hasText: 'Morning digest' }).waitFor();
    const failed = page.locator('#tasks tr', { hasText: 'Disk report' });
    await failed.locator('.reason').waitFor({ timeout: 30_000 });
    expect(await failed.locator('.state').allTextContents()).toEqual(['active', 'error']);
    expect(await failed.locator('.reason').textContent()).toMatch(/exit code 3/);
    const pausedRow = page.locator('#tasks tr', { hasText: 'Evening summary' });
    expect(await pausedRow.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['paused paused by request', '—', 'no runs yet']),
    );
    // The turn's tokens, as the gateway recorded them from the fake's usage.
    await page.locator('#usage-totals', { hasText: /Today [1-9][\d.]*k? tokens/ }).waitFor();
    expect(await page.locator('#usage-days .bar').count()).toBe(1);
    expect(await page.locator('#usage-groups .bar-label').allTextContents()).toEqual(['main']);
    await page.locator('#audit td', { hasText: 'sandbox' }).first().waitFor();
    await page.selectOption('#audit-kind', 'egress');
    await page.locator('#audit-filters button').click();
    // The filtered answer replaces the table: only egress rows, or none.
    await untilInPage(
      page,
      `(() => {
      const kinds = [...document.querySelectorAll('#audit tr td:nth-child(3)')].map((td) => td.textContent);
      return document.querySelector('#audit .empty') !== null || (kinds.length > 0 && kinds.every((k) => k === 'egress'));
    })()`,
    );
    const kinds = await page.locator('#audit tr td:nth-child(3)').allTextContents();
    expect(kinds.every((k) => k === 'egress')).toBe(true);
    await page.screenshot({ path: '/tmp/nanoclaw-dashboard.png', fullPage: true });

    // A long turn shows as a live run; Stop ends it and the chat says so. (Not a leading
    // `sleep 60`: the CLI's Bash tool refuses long leading sleeps, which ends the turn at once.)
    const before = fake.requests.length;
    await postMessage(host.url, 'web:main', 'RUN: echo waiting; sleep 60; echo late');
    const stop = page.locator('#runs button', { hasText: 'Stop' });
    await stop.waitFor({ timeout: 30_000 });
    // Stop once the model has been asked (the agent is in its tool call), not before.
    const deadline = Date.now() + 30_000;
    while (fake.requests.length === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const asked = fake.requests.length;
    expect(asked).toBeGreaterThan(before);
    // The live run: its chat, runtime, and an elapsed time that ticks while it runs.
    const run = page.locator('#runs tr', { has: page.locator('button', { hasText: 'Stop' }) });
    expect(await run.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['Main', 'chat', 'web:main', 'bwrap']),
    );
    const elapsed = run.locator('.elapsed');
    await elapsed.filter({ hasText: /^\d+ s$/ }).waitFor();
    const first = await elapsed.textContent();
    await elapsed.filter({ hasNotText: first ?? '' }).waitFor({ timeout: 5_000 });
    expect(await elapsed.textContent()).toMatch(/^\d+ s$/);
    await page.screenshot({ path: '/tmp/nanoclaw-dashboard-live.png', fullPage: true });
    await stop.click();
    await page.locator('#runs .empty', { hasText: 'Nothing is running.' }).waitFor();
    const messages = await waitForHistory(host.url, 'web:main', (m) =>
      m.some((x) => x.text === 'Stopped.'),
    );
    expect(messages.filter((m) => m.text.includes('late'))).toHaveLength(1); // only the question
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: '/tmp/nanoclaw-dashboard-mobile.png', fullPage: true });
    // Stopped, not retried: no further model requests for it.
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.requests.length).toBe(asked);
  }, 180_000); // two real turns, a browser and a stop: more than the default on a loaded CI machine
});
