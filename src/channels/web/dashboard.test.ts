import { describe, expect, it } from 'vitest';
import { parseAuditQuery, parseStop } from './dashboard.js';

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
});
