/**
 * Teams inside one sandbox (upstream issue #684), end to end: the real host, a real bubblewrap
 * sandbox, the real SDK CLI and the fake model scripting a lead and two background agents. The
 * lead starts both and ends its turn; both finish after that first result; the chat gets one
 * reply, after them, carrying their results; their steps reach the live stream tagged by name.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { teamScript, type TeamLogEntry } from './support/fake-team.js';
import {
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

describe('a lead with background agents in one sandbox (#684)', () => {
  const log: TeamLogEntry[] = [];
  let fake: FakeAnthropic;
  let home: string;
  let host: HostProcess;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ script: teamScript(log) });
    home = tempHome();
    host = await startHostProcess({
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-swarm-key',
      IDLE_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    await host.stop('SIGKILL');
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('answers once, after both agents, with their results', async () => {
    const events = await fetch(`${host.url}/api/chats/web%3Amain/events`);
    const reader = events.body?.getReader();
    let streamed = '';
    void (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const chunk = await reader?.read().catch(() => undefined);
        if (!chunk || chunk.done) break;
        streamed += decoder.decode(chunk.value);
      }
    })();
    const plan = 'alpha=sleep 3; echo RESULT-A | beta=sleep 5; echo RESULT-B';
    expect((await postMessage(host.url, 'web:main', `TEAM: ${plan}`)).status).toBe(201);
    const messages = await waitForHistory(
      host.url,
      'web:main',
      (m) => m.some((x) => x.fromAssistant),
      90_000,
    );
    const replies = messages.filter((m) => m.fromAssistant);
    // One reply: the lead's answer after the team, not its first result.
    expect(replies.map((m) => m.text)).toEqual(['LEAD-FINAL: RESULT-A, RESULT-B']);
    const endedTurn = log.find((e) => e.what === 'ended-turn');
    const answered = log.filter((e) => e.what === 'agent-answered');
    expect(endedTurn).toBeDefined();
    expect(answered.map((e) => e.who).sort()).toEqual(['alpha', 'beta']);
    // Both agents finished after the lead's first result (its turn had ended).
    for (const a of answered) expect(a.at).toBeGreaterThan(endedTurn?.at ?? Infinity);
    // Every step of the team reached the web chat's live stream, tagged with the agent.
    expect(streamed).toContain('event: activity');
    expect(streamed).toMatch(/"agent":"alpha","text":"started/);
    expect(streamed).toMatch(/"agent":"beta","text":"done/);
    expect(streamed).toMatch(/"agent":"alpha","text":"running Bash: scripted command"/);
    await reader?.cancel();
    // After the final answer nothing else is posted (no late second reply).
    await new Promise((r) => setTimeout(r, 1500));
    const after = await waitForHistory(host.url, 'web:main', () => true);
    expect(after.filter((m) => m.fromAssistant)).toHaveLength(1);
  });
});
