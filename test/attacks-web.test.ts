/**
 * The attack suite's web checks: every route of the web API (src/channels/web/server.ts — a new
 * route is added to ROUTES here) against the real host (`nanoclaw start`, a live run in a
 * bubblewrap sandbox), attacked as a hostile web page would: DNS rebinding (a foreign Host
 * header), cross-origin writes, and, with WEB_TOKEN set, no token or a wrong one. Each attack
 * must be refused and change nothing: the live run still runs, no message is stored.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import {
  history,
  postMessage,
  startHostProcess,
  type HostProcess,
} from './support/host-process.js';
import { raw } from './support/web.js';

const MAIN = '/api/chats/web%3Amain';
const WRITE_BODY = JSON.stringify({ text: 'ATTACKER-WROTE-THIS', group: 'main' });
/** Every route, with a request that would do something if it were let through. */
const ROUTES: { method: 'GET' | 'POST'; path: string }[] = [
  { method: 'GET', path: '/api/status' },
  { method: 'GET', path: '/api/chats' },
  { method: 'GET', path: `${MAIN}/messages` },
  { method: 'POST', path: `${MAIN}/messages` },
  { method: 'GET', path: `${MAIN}/events` },
  { method: 'POST', path: `${MAIN}/stop` },
  { method: 'GET', path: `${MAIN}/tasks` },
  { method: 'GET', path: `${MAIN}/files/a-1/0` },
  { method: 'GET', path: '/api/dashboard' },
  { method: 'GET', path: '/api/audit' },
  { method: 'POST', path: '/api/runs/stop' },
];
const FOREIGN_HOSTS = ['evil.example', 'localhost.evil.example', '[::1]evil.example', '127.0.0.2'];
const FOREIGN_ORIGINS = ['http://evil.example', 'null', 'http://127.0.0.1:1'];

interface Tally {
  tried: string[];
  blocked: string[];
}

async function attempt(
  tally: Tally,
  name: string,
  url: string,
  route: (typeof ROUTES)[number],
  headers: Record<string, string>,
  refusedWith: number,
): Promise<void> {
  const body = route.method === 'POST' ? WRITE_BODY : undefined;
  const type: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
  const answer = await raw(url, route.path, route.method, { ...type, ...headers }, body);
  tally.tried.push(name);
  if (answer.status === refusedWith && JSON.parse(answer.body).error) tally.blocked.push(name);
  else console.log(`BREACH ${name}: ${answer.status} ${answer.body.slice(0, 200)}`);
}

describe('attack suite: the web API', () => {
  let fake: FakeAnthropic;
  const homes: string[] = [];
  const hosts: HostProcess[] = [];
  const tally: Tally = { tried: [], blocked: [] };

  const start = async (extra: Record<string, string> = {}) => {
    const home = tempHome('nanoclaw-attacks-web-');
    homes.push(home);
    const host = await startHostProcess({
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-attacks-web-key',
      ...extra,
    });
    hosts.push(host);
    return { url: host.url.replace(/#.*$/, ''), host };
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });

  afterAll(async () => {
    for (const host of hosts) await host.stop('SIGKILL');
    await fake?.close();
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  });

  it('refuses every route to a foreign Host and every write to a foreign Origin', async () => {
    const { url } = await start();
    const local = { host: new URL(url).host };
    // A live run the stop routes would end if an attack got through.
    expect(
      (await postMessage(url, 'web:main', 'RUN: echo waiting; sleep 60; echo late')).status,
    ).toBe(201);
    const live = async () => {
      const board = await raw(url, '/api/dashboard', 'GET', local);
      const groups = (JSON.parse(board.body) as { groups: { liveRuns: unknown[] }[] }).groups;
      return groups.some((g) => g.liveRuns.length > 0);
    };
    for (let i = 0; i < 300 && !(await live()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await live()).toBe(true);

    for (const route of ROUTES) {
      for (const host of FOREIGN_HOSTS) {
        await attempt(
          tally,
          `rebind ${route.method} ${route.path} ${host}`,
          url,
          route,
          { host },
          403,
        );
      }
      if (route.method !== 'POST') continue;
      for (const origin of FOREIGN_ORIGINS) {
        const headers = { ...local, origin };
        await attempt(tally, `csrf ${route.path} ${origin}`, url, route, headers, 403);
      }
    }
    expect(await live()).toBe(true);
    expect((await history(url, 'web:main')).map((m) => m.text)).not.toContain(
      'ATTACKER-WROTE-THIS',
    );
    // The same requests, from the page itself, are let through: the checks are not blanket.
    const stop = await raw(url, `${MAIN}/stop`, 'POST', { ...local, origin: url });
    expect(stop.status).toBe(200);
  }, 180_000);

  it('with WEB_TOKEN, refuses every route without the token or with a wrong one', async () => {
    const token = 'attacks-web-token-7c1e0d9f2b';
    const { url } = await start({ WEB_TOKEN: token });
    const local = { host: new URL(url).host };
    const wrong: Record<string, string>[] = [
      {},
      { authorization: 'Bearer attacks-web-token-7c1e0d9f2' }, // one character short
      { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` },
      { authorization: `Bearer ${token.toUpperCase()}` },
    ];
    for (const route of ROUTES) {
      for (const [i, headers] of wrong.entries()) {
        await attempt(
          tally,
          `token${i} ${route.method} ${route.path}`,
          url,
          route,
          { ...local, ...headers },
          401,
        );
      }
    }
    const allowed = await raw(url, '/api/chats', 'GET', {
      ...local,
      authorization: `Bearer ${token}`,
    });
    expect(allowed.status).toBe(200);
    expect((await raw(url, `/api/chats?token=${token}`, 'GET', local)).status).toBe(200);
  }, 120_000);

  it('counts: every attack tried was refused', () => {
    console.log(
      `attack suite (web): ${tally.tried.length} attacks tried, ${tally.blocked.length} blocked`,
    );
    expect(tally.tried.length).toBeGreaterThanOrEqual(ROUTES.length * 8);
    expect(tally.blocked).toEqual(tally.tried);
  });
});
