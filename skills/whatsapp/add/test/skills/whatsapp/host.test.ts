/**
 * The whatsapp skill in the real host (`nanoclaw start`, bwrap, SDK CLI, fake model), with the
 * real Baileys: there is no WhatsApp here (offline here, and no fake can pass its certificate
 * pinning), so the channel never connects. That is the point: the host, the web chat and
 * the agent keep working while WhatsApp is down; `nanoclaw channels` shows its state; and
 * the auth state (created 0700 in the data directory, a planted key file 0600) is nowhere in
 * the sandbox: a scripted agent searches for its marker and prints BLOCKED or BREACH, with a
 * control marker in the group folder proving the same search finds what is there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../../support/fake-anthropic.js';
import {
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from '../../support/host-process.js';

const KEY_MARKER = ['wa', 'auth', 'key', 'Mk8'];
const CONTROL = ['wa', 'control', 'Cq2'];
const ATTEMPTS = [
  `t() { n=$1; shift; if "$@" >/dev/null 2>&1; then echo "BREACH $n"; else echo "BLOCKED $n"; fi; }`,
  `C=${CONTROL[0]}; for p in ${CONTROL.slice(1).join(' ')}; do C="$C-$p"; done`,
  `K=${KEY_MARKER[0]}; for p in ${KEY_MARKER.slice(1).join(' ')}; do K="$K-$p"; done`,
  `t control-found grep -rqs -- "$C" /home /tmp /workspace /opt /etc /run`,
  `D="/home /tmp /workspace /opt /etc /run /var /root /srv /mnt"`,
  `t wa-auth-in-files grep -rqs -- "$K" $D`,
  `t wa-auth-dir-named sh -c 'find '"$D"' -type d -path "*whatsapp/auth" 2>/dev/null | grep -q .'`,
];

describe('whatsapp skill in the real host without WhatsApp (real Baileys, bwrap, fake model)', () => {
  let model: FakeAnthropic;
  let home: string;
  let env: Record<string, string>;
  let host: HostProcess;

  beforeAll(async () => {
    model = await startFakeAnthropic();
    home = tempHome('nanoclaw-wa-host-');
    fs.writeFileSync(path.join(home, '.env'), 'WHATSAPP_ACCOUNT=4915112345678\n', { mode: 0o600 });
    // A key file as a linked device would have (the channel must keep it to itself).
    const auth = path.join(home, 'whatsapp', 'auth');
    fs.mkdirSync(auth, { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(auth, 'pre-key-1.json'), `{"marker":"${KEY_MARKER.join('-')}"}`, {
      mode: 0o600,
    });
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-e2e-whatsapp',
      IDLE_TIMEOUT_MS: '2000',
    };
    const folder = path.join(home, 'groups', 'main');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'control.txt'), `${CONTROL.join('-')}\n`, { mode: 0o644 });
    host = await startHostProcess(env);
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await model.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the host runs on and nanoclaw channels shows whatsapp not connected; the auth dir is 0700', async () => {
    const { stdout, code } = await runCli(['channels'], env);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^whatsapp\t(connecting|waiting to be linked: .+|reconnecting in \d+s: .+)$/m,
    );
    expect(stdout).toMatch(/^web\tconnected$/m);
    expect(fs.statSync(path.join(home, 'whatsapp', 'auth')).mode & 0o777).toBe(0o700);
  });

  it('the agent answers in the web chat, and finds no trace of the WhatsApp auth state', async () => {
    const res = await postMessage(host.url, 'web:main', `RUN: ${ATTEMPTS.join('; ')}`);
    expect(res.ok).toBe(true);
    const messages = await waitForHistory(
      host.url,
      'web:main',
      (m) => m.some((x) => x.fromAssistant && x.text.includes('wa-auth-dir-named')),
      90_000,
    );
    const reply = messages.find((x) => x.fromAssistant && x.text.includes('wa-auth-dir-named'));
    const verdicts = [...(reply?.text ?? '').matchAll(/(BLOCKED|BREACH) ([\w-]+)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(verdicts).toEqual([
      'BREACH control-found',
      'BLOCKED wa-auth-in-files',
      'BLOCKED wa-auth-dir-named',
    ]);
  }, 120_000);
});
