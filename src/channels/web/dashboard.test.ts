import { describe, expect, it } from 'vitest';
import { GroupStatusSchema } from '../../control/protocol.js';
import { effectiveModel, groupUsage, parseAuditQuery, parseStop } from './dashboard.js';

const q = (s: string) => parseAuditQuery(new URLSearchParams(s));

describe('dashboard requests', () => {
  it('parses audit filters, each optional, and refuses bad ones with what to give', () => {
    expect(q('')).toEqual({ ok: true, value: { limit: 100 } });
    expect(q('group=family&kind=host_api&decision=denied&limit=5')).toEqual({
      ok: true,
      value: { group: 'family', kind: 'host_api', decision: 'denied', limit: 5 },
    });
    expect(q('group=&kind=')).toEqual({ ok: true, value: { limit: 100 } }); // empty = all
    const refused = (s: string) => {
      const r = q(s);
      return r.ok ? undefined : r.refusal;
    };
    expect(refused('kind=files')).toEqual({
      status: 400,
      error: 'kind must be sandbox, host_api or egress.',
    });
    expect(refused('group=../main')?.error).toBe('group must be a group folder name, e.g. main.');
    expect(refused("decision=ok' OR 1=1")?.status).toBe(400);
    expect(refused('limit=501')?.error).toContain('1 to 500');
    expect(refused('limit=x')?.status).toBe(400);
  });

  it('parses a stop request: one group, nothing else', () => {
    expect(parseStop('{"group":"family"}')).toEqual({ ok: true, value: { group: 'family' } });
    for (const bad of ['', 'family', '{}', '{"group":1}', '{"group":"a","x":1}']) {
      expect(parseStop(bad).ok, bad).toBe(false);
    }
  });

  it("shows a group's model as its runs pick it: its own setting, else the default", () => {
    const none = { model: undefined, effort: undefined };
    expect(
      effectiveModel({ model: 'claude-opus-4-1', effort: 'high' }, 'claude-sonnet-4-5'),
    ).toEqual({ id: 'claude-opus-4-1', effort: 'high', source: 'group' });
    expect(effectiveModel(none, 'claude-sonnet-4-5')).toEqual({
      id: 'claude-sonnet-4-5',
      effort: null,
      source: 'default',
    });
    // Only an effort set: the model is still the default one.
    expect(effectiveModel({ model: undefined, effort: 'low' }, undefined)).toEqual({
      id: null,
      effort: 'low',
      source: 'default',
    });
  });

  it("gives each group this month's usage, zero for one that used no model", () => {
    const spent = (tokens: number, usd: number) => ({ tokens, usd });
    const summary = {
      today: spent(30, 0.3),
      month: spent(300, 3),
      groups: [{ group: 'family', today: spent(30, 0.3), month: spent(300, 3) }],
    };
    expect(groupUsage(summary, 'family')).toEqual({ today: spent(30, 0.3), month: spent(300, 3) });
    expect(groupUsage(summary, 'main')).toEqual({ today: spent(0, 0), month: spent(0, 0) });
  });

  it("parses an older host's live runs (no start, runtime or chat) and a newer one's", () => {
    const group = {
      folder: 'main',
      name: 'Main',
      isMain: true,
      chats: ['web:main'],
      lastActivity: null,
      lastRun: null,
      waiting: 0,
    };
    expect(GroupStatusSchema.safeParse({ ...group, liveRuns: [{ kind: 'chat' }] }).success).toBe(
      true,
    );
    const newer = { kind: 'chat', runId: 'r', startedAt: 1, runtime: 'bwrap', chatId: 'web:main' };
    expect(GroupStatusSchema.parse({ ...group, liveRuns: [newer] }).liveRuns).toEqual([newer]);
    const bad = { ...group, liveRuns: [{ kind: 'chat', startedAt: 'yesterday' }] };
    expect(GroupStatusSchema.safeParse(bad).success).toBe(false);
  });
});
