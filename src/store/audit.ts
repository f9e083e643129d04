/**
 * The audit trail: what each sandbox run was given and how it ended, every host API call with
 * its decision, every egress decision. Append-only; `nanoclaw audit` reads it.
 */
import { z } from 'zod';
import type { Db } from './db.js';

export type AuditKind = 'sandbox' | 'host_api' | 'egress';

export interface AuditEntry {
  kind: AuditKind;
  group: string;
  runId?: string | undefined;
  action: string;
  decision: string;
  detail?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: number;
  ts: number;
}

const DetailSchema = z.record(z.string(), z.unknown());

interface AuditRow {
  id: number;
  ts: number;
  kind: AuditKind;
  group_folder: string;
  run_id: string | null;
  action: string;
  decision: string;
  detail: string | null;
}

/** Anything that records audit entries (the store, or nothing in unit tests). */
export type AuditSink = (entry: AuditEntry) => void;

export class AuditLog {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  readonly record: AuditSink = (entry) => {
    this.db
      .prepare(
        `INSERT INTO audit (ts, kind, group_folder, run_id, action, decision, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        this.now(),
        entry.kind,
        entry.group,
        entry.runId ?? null,
        entry.action,
        entry.decision,
        entry.detail ? JSON.stringify(entry.detail) : null,
      );
  };

  /** Newest first; every filter optional. */
  list(options: {
    group?: string | undefined;
    kind?: AuditKind | undefined;
    decision?: string | undefined;
    limit: number;
  }): AuditRecord[] {
    // Column names are fixed here; only the values come from the caller (bound parameters).
    const filters = Object.entries({
      group_folder: options.group,
      kind: options.kind,
      decision: options.decision,
    }).filter((f): f is [string, string] => f[1] !== undefined);
    const where = filters.length ? `WHERE ${filters.map(([c]) => `${c} = ?`).join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM audit ${where} ORDER BY id DESC LIMIT ?`)
      .all(...filters.map(([, v]) => v), options.limit) as AuditRow[];
    return rows.map((r) => {
      const detail = r.detail ? DetailSchema.safeParse(JSON.parse(r.detail)) : undefined;
      return {
        id: r.id,
        ts: r.ts,
        kind: r.kind,
        group: r.group_folder,
        runId: r.run_id ?? undefined,
        action: r.action,
        decision: r.decision,
        ...(detail?.success ? { detail: detail.data } : {}),
      };
    });
  }
}
