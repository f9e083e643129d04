/**
 * The host's control socket: how operator commands on this machine (`nanoclaw status`,
 * `nanoclaw channels`) ask the running host what it knows only in memory. A unix socket at
 * `$NANOCLAW_HOME/control/host.sock`, 0600 in a 0700 directory: the file mode is the
 * authentication, so no token is needed and none can leak. One JSON line in, one JSON line out,
 * both parsed with zod; anything else is refused.
 *
 * Why beside the web API rather than through it: the web chat is a chat surface (it may be turned
 * off, exposed on a LAN behind WEB_TOKEN, and is what the browser page speaks); operator commands
 * must work without it and without its token. So the CLI's read-only operator queries go through
 * this socket only; `/api/status` stays for the web page, and `nanoclaw chat` stays on the web API
 * because it is a chat client.
 */
import path from 'node:path';
import { z } from 'zod';

export const CONTROL_PROTOCOL = 1;
/** Longest request line the host reads; longer is refused unread. */
export const MAX_REQUEST_BYTES = 4096;
/** Longest reply line the client reads. */
export const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export const controlDir = (home: string) => path.join(home, 'control');
export const controlSocketPath = (home: string) => path.join(controlDir(home), 'host.sock');

export const ControlRequestSchema = z.strictObject({
  v: z.literal(CONTROL_PROTOCOL),
  type: z.literal('status'),
});
export type ControlRequest = z.infer<typeof ControlRequestSchema>;

const ChannelSchema = z.object({
  name: z.string(),
  state: z.string(),
  summary: z.string(),
  reason: z.string().optional(),
  fix: z.string().optional(),
  retryInMs: z.number().optional(),
});

/** A sandbox alive now. The optional fields are newer; an older host leaves them out. */
export const LiveRunSchema = z.object({
  kind: z.string(),
  runId: z.string().optional(),
  /** When it started (epoch ms): a chat run's start, a task run's claim. Unknown for others. */
  startedAt: z.number().optional(),
  /** The sandbox runtime it runs in (the host's: bwrap, docker, …). */
  runtime: z.string().optional(),
  /** The chat a conversation run answers. */
  chatId: z.string().optional(),
  /** The scheduled task a task run (or its pre-check) runs. */
  taskId: z.string().optional(),
});
export type LiveRun = z.infer<typeof LiveRunSchema>;

export const GroupStatusSchema = z.object({
  folder: z.string(),
  name: z.string(),
  isMain: z.boolean(),
  chats: z.array(z.string()),
  /** Newest message in any of its chats (epoch ms), if any. */
  lastActivity: z.number().nullable(),
  /** Its most recent sandbox run, from the audit trail. */
  lastRun: z.object({ at: z.number(), ok: z.boolean(), error: z.string().optional() }).nullable(),
  /** Sandboxes of this group alive now (only a running host knows). */
  liveRuns: z.array(LiveRunSchema),
  /** Sandboxes of this group waiting for a slot. */
  waiting: z.number().int(),
});
export type GroupStatus = z.infer<typeof GroupStatusSchema>;

export const TaskDueSchema = z.object({
  id: z.string(),
  group: z.string(),
  schedule: z.string(),
  nextRun: z.number(),
});

export const StatusReportSchema = z.object({
  running: z.boolean(),
  /** Only when running. */
  host: z
    .object({
      pid: z.number().int(),
      startedAt: z.string(),
      uptimeMs: z.number(),
      version: z.string(),
      runtime: z.string(),
      webUrl: z.string().optional(),
    })
    .optional(),
  home: z.string(),
  assistantName: z.string(),
  channels: z.array(ChannelSchema),
  groups: z.array(GroupStatusSchema),
  nextTasks: z.array(TaskDueSchema),
  problems: z.array(z.string()),
});
export type StatusReport = z.infer<typeof StatusReportSchema>;

export const ControlReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), status: StatusReportSchema }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ControlReply = z.infer<typeof ControlReplySchema>;
