/**
 * The attack suite, authority: a scripted (fake-model) agent tries the network, forged and stale
 * capabilities and the host API beyond its group, through real tools in real bwrap sandboxes of
 * the real host CLI. Each attack prints BLOCKED or BREACH from inside; the last test checks the
 * count and the audit. (Shared setup: `test/support/attacks.ts`.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import {
  auditRecords,
  expectAllBlocked,
  plantHistory,
  PRELUDE,
  refusals,
  startAttackSuite,
  type AttackSuite,
} from './support/attacks.js';

describe('attack suite: network, authority and capabilities', () => {
  let s: AttackSuite;

  beforeAll(async () => {
    s = await startAttackSuite('authority');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('main cannot register a group over main, global or another group by case or look-alike', async () => {
    // On macOS's case-insensitive disk each of these folders is main's, the global memory or
    // family's; look-alike letters (Cyrillic, fullwidth) would be a second name for the same.
    const out = await s.attack(
      'main',
      `
      refused register-MAIN register_group '{"folder":"MAIN","chat_id":"web:x1"}'
      refused register-Main register_group '{"folder":"Main","chat_id":"web:x2"}'
      refused register-Global register_group '{"folder":"Global","chat_id":"web:x3"}'
      refused register-GLOBAL register_group '{"folder":"GLOBAL","chat_id":"web:x4"}'
      refused register-FAMILY register_group '{"folder":"FAMILY","chat_id":"web:x5"}'
      refused register-cyrillic-main register_group '{"folder":"m\\u0430in","chat_id":"web:x6"}'
      refused register-fullwidth-global register_group '{"folder":"\\uff47lobal","chat_id":"web:x7"}'
      refused register-unknown-channel register_group '{"folder":"tele","chat_id":"telegram:123"}'
      echo "legit $(api register_group '{"folder":"work","chat_id":"web:work"}')"`,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('BREACH');
    expect(out.stdout).toContain('legit 200'); // the same tool works for a fresh name
    const list = await runCli(['groups', 'list'], s.env);
    const folders = list.stdout
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]);
    expect(folders.filter(Boolean).sort()).toEqual(['family', 'main', 'work']);
    expect((await runCli(['groups', 'remove', 'work'], s.env)).code).toBe(0);
  });

  it('a capability stops working when its run ends', async () => {
    await s.attack('family', 'echo "$ANTHROPIC_API_KEY" > /workspace/group/old-capability');
    const out = await s.attack(
      'family',
      `echo "live-$(api list_groups '{}')"
      t reuse-ended-capability sh -c 'c=$(cat /workspace/group/old-capability); test "$(curl -s -o /dev/null -w "%{http_code}" -X POST -H "authorization: Bearer $c" -H content-type:application/json -d "{}" "$NANOCLAW_HOST_URL/api/list_groups")" = 200'`,
    );
    expect(out.stdout).toContain('BLOCKED reuse-ended-capability');
    expect(out.stdout).toContain('live-200'); // the same call with the live capability works
  });

  it('the network: only the gateway, which refuses everything it should', async () => {
    const out = await s.attack(
      'main',
      `
      t host-port curl -sf --max-time 3 --noproxy '*' http://127.0.0.1:${s.port}/
      t non-loopback curl -sf --max-time 3 --noproxy '*' http://10.255.255.1/
      t metadata px http://169.254.169.254/latest/meta-data/
      t private-address px http://10.0.0.1/
      t dns-to-loopback px http://localhost:${s.port}/
      t loopback-via-proxy px http://127.0.0.1:${s.port}/
      t model-proxy-path curl -sf -H "x-api-key: $ANTHROPIC_API_KEY" "$ANTHROPIC_BASE_URL/v1/../admin"
      t model-proxy-absolute curl -sf --request-target "http://127.0.0.1:${s.port}/" -H "x-api-key: $ANTHROPIC_API_KEY" "$ANTHROPIC_BASE_URL"
      t model-proxy-host curl -sf -H "Host: 127.0.0.1:${s.port}" -H "x-api-key: $ANTHROPIC_API_KEY" "$ANTHROPIC_BASE_URL/"
      t forged-capability curl -sf -X POST -H 'authorization: Bearer forged-0000000000000000' -d '{"text":"x"}' "$NANOCLAW_HOST_URL/api/send_message"
      t forged-proxy-auth curl -sf --max-time 3 --noproxy '' -x "http://nanoclaw:forged@\${HTTP_PROXY##*@}" https://example.com/`,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('BREACH');
  });

  it('a non-main group cannot act beyond itself', async () => {
    const added = await runCli(
      ['tasks', 'add', '--group', 'main', '--every', '1h', '--prompt', 'main task'],
      s.env,
    );
    const mainTask = /task-[0-9a-f]{8}/.exec(added.stdout)?.[0] ?? 'missing';
    const out = await s.attack(
      'family',
      `
      refused register-group register_group '{"folder":"evil"}'
      refused make-itself-main register_group '{"folder":"evil2","isMain":true}'
      refused schedule-for-main schedule_task '{"prompt":"x","schedule_type":"interval","schedule_value":"60000","group_folder":"main"}'
      refused send-to-other-chat send_message '{"text":"x","chatId":"web:main"}'
      refused cancel-other-task cancel_task '{"task_id":"${mainTask}"}'
      refused read-other-tasks get_task '{"task_id":"${mainTask}"}'
      refused mount-host-root set_group_mount '{"group_folder":"family","host_path":"/","name":"root"}'
      refused open-host-port-egress set_egress_policy '{"group_folder":"family","mode":"allowlist","allow":["127.0.0.1:${s.port}"]}'
      refused open-sender-policy set_sender_policy '{"group_folder":"family","allow":"all"}'
      refused read-main-policies get_group_policies '{"group_folder":"main"}'
      t write-global-memory touch /workspace/global/CLAUDE.md`,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('BREACH');
    const list = await runCli(['tasks', 'list'], s.env);
    expect(list.stdout).toContain(mainTask);
    expect(list.stdout).toMatch(new RegExp(`${mainTask}\\s+main\\s+active`));
    const policies = await runCli(['egress', 'show', 'family', '--json'], s.env);
    expect(JSON.parse(policies.stdout)).toEqual({ mode: 'public', allow: [] });
    // The same tool works for main, through the same gateway.
    const byMain = await s.attack(
      'main',
      `echo "main-set $(api set_sender_policy '{"group_folder":"family","allow":["u1"],"mode":"drop"}')"`,
    );
    expect(byMain.stdout).toContain('main-set 200');
    const senders = await runCli(['senders', 'show', 'family', '--json'], s.env);
    expect(senders.stdout).toContain('{"allow":["u1"],"mode":"drop"}');
  });

  it("a group cannot search another group's history, however it asks", async () => {
    plantHistory(s, 'web:main', 'vault-7731', 'the vault code is ZEBRA4411 vault-7731');
    const script = (group: string) =>
      `hits() { curl -s -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d "$1" "$NANOCLAW_HOST_URL/api/search_messages"; }
      nohit() { if hits "$2" | grep -q vault-7731; then echo "BREACH $1"; else echo "BLOCKED $1"; fi; }
      nohit search-other-history '{"query":"ZEBRA4411"}'
      nohit search-prefix '{"query":"ZEBRA*"}'
      nohit search-fts-syntax '{"query":"ZEBRA4411\\" OR \\"vault"}'
      nohit search-by-sender '{"query":"vault","sender":"Owner"}'
      nohit search-naming-group '{"query":"ZEBRA4411","group_folder":"main"}'
      nohit search-naming-chat '{"query":"ZEBRA4411","chat_id":"web:main"}'
      echo "${group}-search $(hits '{"query":"ZEBRA4411"}' | grep -c vault-7731)"`;
    const out = await s.attack('family', script('family'));
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('BREACH');
    expect(out.stdout).toContain('family-search 0');
    // The same search from main, whose chat it is, finds it: the attacks above could succeed.
    const own = await s.attack(
      'main',
      `echo "main-search $(curl -s -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d '{"query":"ZEBRA4411"}' "$NANOCLAW_HOST_URL/api/search_messages" | grep -c vault-7731)"`,
    );
    expect(own.stdout).toContain('main-search 1');
  });

  it("a non-main group's workers are confined like the group, and cannot delegate", async () => {
    // The worker's script lies in the family folder (the worker sees it read-only).
    const folder = path.join(s.home, 'groups', 'family');
    fs.mkdirSync(folder, { recursive: true });
    const script = `${PRELUDE}
      S=$(printf 'sk-%s-%s-%s' attack suite Qz7)
      t worker-read-main-memory cat ${s.home}/groups/main/CLAUDE.md
      t worker-list-groups ls ${s.home}/groups
      t worker-read-host-env cat ${s.home}/.env
      t worker-see-project ls /workspace/project
      t worker-secret-in-env sh -c 'cat /proc/[0-9]*/environ | tr "\\0" "\\n" | grep -q -- "'"$S"'"'
      t worker-write-group-folder touch /workspace/group/worker-wrote
      t worker-write-global touch /workspace/global/worker-wrote
      t worker-host-port curl -sf --max-time 3 --noproxy '*' http://127.0.0.1:${s.port}/
      refused worker-delegate delegate '{"tasks":[{"prompt":"x"}]}'
      refused worker-send-to-main send_message '{"text":"x","chatId":"web:main"}'
      refused worker-register-group register_group '{"folder":"evil3"}'
      echo "worker-own $(head -c 2 /workspace/group/worker-attack.sh)-$(touch /workspace/scratch/s && echo scratch)"`;
    fs.writeFileSync(path.join(folder, 'worker-attack.sh'), `${script}\n`, { mode: 0o644 });
    const tasks = {
      tasks: [{ name: 'prober', prompt: 'RUN: sh /workspace/group/worker-attack.sh' }],
    };
    const out = await s.attack(
      'family',
      `curl -s -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d '${JSON.stringify(tasks)}' "$NANOCLAW_HOST_URL/api/delegate"`,
    );
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('BREACH');
    expect(out.stdout.match(/BLOCKED worker-[\w-]+/g) ?? []).toHaveLength(11);
    // The worker ran and could do what a worker may: read its group, write its scratch.
    expect(out.stdout).toContain('worker-own t(-scratch');
    expect(fs.existsSync(path.join(folder, 'worker-wrote'))).toBe(false);
  });

  it('every attack was blocked, and the audit shows the refusals', async () => {
    const records = await auditRecords(s.env);
    // The 8 names main may not register, the 10 calls beyond itself of the non-main group, and
    // the forged and the ended capability (unauthenticated).
    expect(refusals(records, 'main').length).toBeGreaterThanOrEqual(8);
    expect(refusals(records, 'family').length).toBeGreaterThanOrEqual(10);
    expect(refusals(records).length).toBeGreaterThanOrEqual(20);
    expect(
      records.filter((r) => r.kind === 'egress' && r.decision === 'denied').length,
    ).toBeGreaterThanOrEqual(4);
    expectAllBlocked(s, 'authority', 48);
  });
});
