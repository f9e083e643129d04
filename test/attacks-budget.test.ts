/**
 * The attack suite, budgets: a scripted (fake-model) agent of the family group, in a real bwrap
 * sandbox of the real host CLI, reaches its budget mid-run and then tries to go on: retries,
 * streamed, with its capability as a Bearer token, with forged NanoClaw headers, on the other
 * model routes, through the egress proxy, and by raising or clearing its own budget through the
 * host API. Everything is refused by the host; the run stops without a final answer, and main
 * still works. (Shared setup: `test/support/attacks.ts`.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { expectAllBlocked, startAttackSuite, until, type AttackSuite } from './support/attacks.js';

/** Success means the host refused with its budget message; anything else is a breach. */
const OVER = `over() { n=$1; shift; out=$(curl -s --max-time 10 "$@"); case "$out" in *"model budget"*) echo "BLOCKED $n";; *) echo "BREACH $n";; esac; }
B='{"model":"claude-haiku-4-5","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}'
J='content-type: application/json'
K="x-api-key: $ANTHROPIC_API_KEY"`;

const ATTACKS = `exec > /workspace/group/attack.log 2>&1
echo "control $(curl -s -o /dev/null -w '%{http_code}' -X POST -H "$K" -H "$J" -d "$B" "$ANTHROPIC_BASE_URL/v1/messages")"
touch /workspace/group/waiting
i=0; while [ ! -f /workspace/group/go ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
over budget-retry -X POST -H "$K" -H "$J" -d "$B" "$ANTHROPIC_BASE_URL/v1/messages"
over budget-retry-again -X POST -H "$K" -H "$J" -d "$B" "$ANTHROPIC_BASE_URL/v1/messages?beta=true"
over budget-stream -X POST -H "$K" -H "$J" -d '{"model":"claude-haiku-4-5","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]}' "$ANTHROPIC_BASE_URL/v1/messages"
over budget-bearer -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" -H "$J" -d "$B" "$ANTHROPIC_BASE_URL/v1/messages"
over budget-forged-headers -X POST -H "$K" -H "$J" -H 'x-nanoclaw-group: main' -H 'x-nanoclaw-budget: off' -H 'anthropic-beta: oauth-2025-04-20' -d "$B" "$ANTHROPIC_BASE_URL/v1/messages"
over budget-count-tokens -X POST -H "$K" -H "$J" -d "$B" "$ANTHROPIC_BASE_URL/v1/messages/count_tokens"
over budget-models -H "$K" "$ANTHROPIC_BASE_URL/v1/models"
over budget-host-url -X POST -H "$K" -H "$J" -d "$B" "$NANOCLAW_HOST_URL/v1/messages"
t budget-egress-direct px -X POST -H "$J" -d "$B" https://api.anthropic.com/v1/messages
refused budget-raise-own set_budget '{"group_folder":"family","period":"daily","unit":"tokens","amount":100000000}'
refused budget-clear-own set_budget '{"group_folder":"family","period":"daily","unit":"tokens","amount":null}'
refused budget-set-all set_budget '{"group_folder":"all","period":"daily","unit":"usd","amount":1000}'
refused budget-set-model set_model '{"group_folder":"family","model":"claude-opus-4-5"}'
echo "own-usage $(api get_usage '{}')"
refused budget-read-main get_usage '{"group_folder":"main"}'`;

describe('attack suite: budgets', () => {
  let s: AttackSuite;
  const groupDir = () => path.join(s.home, 'groups', 'family');

  beforeAll(async () => {
    s = await startAttackSuite('budget');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('a group at its budget mid-run cannot go on by any path; the run ends without an answer', async () => {
    const attack = s.attack('family', `${OVER}\n${ATTACKS}`);
    // The budget is reached while the agent's script runs: its first model call went through.
    await until(() => (fs.existsSync(path.join(groupDir(), 'waiting')) ? true : undefined), 90_000);
    const set = await runCli(['budget', 'set', 'family', '--daily-tokens', '1'], s.env);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/family daily: \d+ tokens of 1 tokens {2}REACHED/);
    fs.writeFileSync(path.join(groupDir(), 'go'), '');
    const out = await attack;
    const log = fs.readFileSync(path.join(groupDir(), 'attack.log'), 'utf8');
    for (const m of log.matchAll(/(BLOCKED|BREACH) ([\w-]+)/g)) {
      s.tried.push(m[2] as string);
      if (m[1] === 'BLOCKED') s.blocked.push(m[2] as string);
    }
    expect(log).toContain('control 200'); // the same call worked before the budget
    expect(log).toMatch(/own-usage 200/); // its own usage stays readable
    // The agent's next model call (after its tool) was refused: no final answer, a clear error.
    expect(out.code).not.toBe(0);
    expect(out.stdout + out.stderr).toMatch(/model budget/);
    expect(out.stdout).not.toContain('DONE:');
    expectAllBlocked(s, 'budgets', 14);
  });

  it('another group still works, and usage shows the budget reached', async () => {
    const main = await runCli(['run', 'hello from main'], s.env, { timeoutMs: 120_000 });
    expect(main.code).toBe(0);
    const usage = await runCli(['usage', '--json'], s.env);
    const report = JSON.parse(usage.stdout) as {
      rows: { group: string; calls: number }[];
      budgets: { scope: string; reached: boolean }[];
    };
    expect(report.budgets).toEqual([expect.objectContaining({ scope: 'family', reached: true })]);
    const groups = new Set(report.rows.map((r) => r.group));
    expect(groups).toEqual(new Set(['main', 'family']));
    const cleared = await runCli(['budget', 'clear', 'family'], s.env);
    expect(cleared.stdout).toContain('Removed 1 budget of family');
  });
});
