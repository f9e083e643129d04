/**
 * The dashboard's data: the whole assistant at a glance (docs/API.md › Dashboard). What the
 * operator's `nanoclaw status` reports, plus each group's policies, every task with its last
 * result, and the audit trail with filters. Query parsing is pure; the rest reads the stores.
 */
import { z } from 'zod';
import type { StatusReport } from '../../control/protocol.js';
import { runView, taskView } from '../../scheduler/service.js';
import type { MountRequest } from '../../security/mounts.js';
import type { AuditKind, AuditRecord } from '../../store/audit.js';
import type { ModelSetting } from '../../store/budgets.js';
import { FOLDER_PATTERN, type GroupStore } from '../../store/groups.js';
import type { TaskStore } from '../../store/tasks.js';
import type { Spent, UsageSummary } from '../../usage/summary.js';
import type { Parsed } from './requests.js';

export interface AuditQuery {
  group?: string;
  kind?: AuditKind;
  decision?: string;
  limit: number;
}

/** What the running host gives the dashboard (absent in a bare web channel: no dashboard). */
export interface DashboardDeps {
  status(): StatusReport;
  groups: GroupStore;
  tasks: TaskStore;
  mounts(folder: string): MountRequest[];
  audit(query: AuditQuery): AuditRecord[];
  /** Stops the group's conversation turn (the live runs' Stop); false when none runs. */
  stopGroup(folder: string): boolean;
  /** Today, this month and per group (UTC), and the last days' totals for the chart. */
  usage(): UsageSummary & { days: { day: string; tokens: number; usd: number }[] };
  /** The group's own model setting (`nanoclaw groups set-model`, set_model). */
  modelSetting(folder: string): ModelSetting;
  /** NANOCLAW_MODEL: what a group without its own setting runs (undefined: the SDK's default). */
  defaultModel: string | undefined;
  now(): number;
}

/** The model a group's runs use (as runs pick it: its setting, else the default) and why. */
export function effectiveModel(setting: ModelSetting, fallback: string | undefined) {
  return {
    id: setting.model ?? fallback ?? null,
    effort: setting.effort ?? null,
    source: setting.model === undefined ? ('default' as const) : ('group' as const),
  };
}

const NOTHING: Spent = { tokens: 0, usd: 0 };

/** A group's usage today and this month (UTC); zero when it used no model this month. */
export function groupUsage(summary: UsageSummary, folder: string): { today: Spent; month: Spent } {
  const found = summary.groups.find((g) => g.group === folder);
  return found ? { today: found.today, month: found.month } : { today: NOTHING, month: NOTHING };
}

export function dashboardView(deps: DashboardDeps) {
  const status = deps.status();
  const usage = deps.usage();
  const groups = status.groups.map((g) => {
    const group = deps.groups.get(g.folder);
    return {
      ...g,
      model: effectiveModel(deps.modelSetting(g.folder), deps.defaultModel),
      usage: groupUsage(usage, g.folder),
      trigger: group?.requiresTrigger && !group.isMain ? (group.trigger ?? null) : null,
      requiresTrigger: Boolean(group?.requiresTrigger && !group.isMain),
      senders: group?.senderPolicy ?? null,
      egress: group?.egressPolicy ?? null,
      mounts: deps.mounts(g.folder),
    };
  });
  const tasks = deps.tasks.list().map((t) => ({
    ...taskView(t),
    lastRun: deps.tasks.runs(t.id, 1).map(runView)[0] ?? null,
  }));
  const { host, running, assistantName, channels, problems } = status;
  return {
    /** The host's clock (epoch ms): the page counts live runs' elapsed time from it. */
    now: deps.now(),
    running,
    host: host ?? null,
    assistantName,
    channels,
    problems,
    groups,
    tasks,
    usage,
  };
}

const MAX_AUDIT = 500;

const AuditQuerySchema = z.object({
  group: z
    .string()
    .regex(FOLDER_PATTERN, 'group must be a group folder name, e.g. main.')
    .optional(),
  kind: z
    .enum(['sandbox', 'host_api', 'egress'], { error: 'kind must be sandbox, host_api or egress.' })
    .optional(),
  decision: z
    .string()
    .regex(/^[a-z_-]{1,32}$/, 'decision must be a word such as ok, denied or allowed.')
    .optional(),
  limit: z.coerce
    .number({ error: `limit must be a whole number from 1 to ${MAX_AUDIT}.` })
    .int(`limit must be a whole number from 1 to ${MAX_AUDIT}.`)
    .min(1, `limit must be a whole number from 1 to ${MAX_AUDIT}.`)
    .max(MAX_AUDIT, `limit must be a whole number from 1 to ${MAX_AUDIT}.`)
    .default(100),
});

/** `?group=main&kind=host_api&decision=denied&limit=100` (every filter optional). */
export function parseAuditQuery(params: URLSearchParams): Parsed<AuditQuery> {
  const raw = Object.fromEntries(
    ['group', 'kind', 'decision', 'limit'].flatMap((k) => {
      const v = params.get(k);
      return v === null || v === '' ? [] : [[k, v]];
    }),
  );
  const parsed = AuditQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const error = parsed.error.issues[0]?.message ?? 'Invalid audit query.';
    return { ok: false, refusal: { status: 400, error } };
  }
  const { group, kind, decision, limit } = parsed.data;
  return {
    ok: true,
    value: {
      limit,
      ...(group ? { group } : {}),
      ...(kind ? { kind } : {}),
      ...(decision ? { decision } : {}),
    },
  };
}

const StopSchema = z.strictObject({
  group: z.string({ error: 'group must be a string, e.g. {"group": "main"}.' }).min(1),
});

/** `{"group": "family"}`: which group's turn to stop. */
export function parseStop(raw: string): Parsed<{ group: string }> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return {
      ok: false,
      refusal: { status: 400, error: 'The body must be JSON like {"group": "main"}.' },
    };
  }
  const parsed = StopSchema.safeParse(json);
  if (!parsed.success) {
    const error = parsed.error.issues[0]?.message ?? 'Invalid body.';
    return { ok: false, refusal: { status: 400, error } };
  }
  return { ok: true, value: parsed.data };
}
