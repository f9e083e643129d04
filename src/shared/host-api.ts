/**
 * Bodies of the host API that agent tools call through the gateway (`/api/...`).
 * The caller's identity is never in these bodies: it comes from the run's capability.
 */
import { z } from 'zod';
import { EgressPolicySchema, SenderPolicySchema } from './policies.js';
import { SpecialistNameSchema } from './specialists.js';

export const HOST_API_PATHS = {
  sendMessage: '/api/send_message',
  sendFile: '/api/send_file',
  registerGroup: '/api/register_group',
  listGroups: '/api/list_groups',
  listChats: '/api/list_chats',
  setGroupMount: '/api/set_group_mount',
  removeGroupMount: '/api/remove_group_mount',
  getGroupPolicies: '/api/get_group_policies',
  setEgressPolicy: '/api/set_egress_policy',
  setSenderPolicy: '/api/set_sender_policy',
  searchMessages: '/api/search_messages',
  defineAgent: '/api/define_agent',
  delegate: '/api/delegate',
} as const;

/** A worker's or named agent's name in the chat (lowercase-with-dashes, like a specialist). */
export const SpeakerNameSchema = SpecialistNameSchema;

export const SendMessageBodySchema = z.object({
  text: z.string().min(1).max(32_000),
  /** Target chat; absent means the run's own chat. Only main may name another chat (issue 4). */
  chatId: z.string().min(1).optional(),
  /** Sender name shown in the chat: a worker or named agent speaking as itself. */
  as: SpeakerNameSchema.optional(),
});
export type SendMessageBody = z.infer<typeof SendMessageBodySchema>;

/** A file from the caller's group folder (`/workspace/group/...` or relative to it). */
export const SendFileBodySchema = z
  .object({
    path: z.string().min(1).max(4096),
    caption: z.string().max(4000).optional(),
    /** Target chat; absent means the run's own chat. Only main may name another chat. */
    chat_id: z.string().min(1).max(200).optional(),
  })
  .strict();
export type SendFileBody = z.infer<typeof SendFileBodySchema>;

/** `isMain` is deliberately absent: no agent can create or promote a main group. */
export const RegisterGroupBodySchema = z
  .object({
    folder: z.string().min(1).max(64),
    name: z.string().min(1).max(100).optional(),
    chat_id: z.string().min(1).max(200).optional(),
    trigger: z.string().min(1).max(50).optional(),
    requires_trigger: z.boolean().optional(),
  })
  .strict();
export type RegisterGroupBody = z.infer<typeof RegisterGroupBodySchema>;

export const ListGroupsBodySchema = z.object({}).strict();

/** Main only: the chats the channels have seen, registered or not (discovery). */
export const ListChatsBodySchema = z.object({ unregistered_only: z.boolean().optional() }).strict();

/** Main only: give a group an extra host folder (still subject to the mount allowlist). */
export const SetGroupMountBodySchema = z
  .object({
    group_folder: z.string().min(1).max(64),
    host_path: z.string().min(1).max(4096),
    name: z.string().min(1).max(64),
    read_write: z.boolean().optional(),
  })
  .strict();
export type SetGroupMountBody = z.infer<typeof SetGroupMountBodySchema>;

export const RemoveGroupMountBodySchema = z
  .object({ group_folder: z.string().min(1).max(64), name: z.string().min(1).max(64) })
  .strict();
export type RemoveGroupMountBody = z.infer<typeof RemoveGroupMountBodySchema>;

const GroupFolder = z.string().min(1).max(64);

/** A group's sender and egress policies (main: any group; others: their own). */
export const GetGroupPoliciesBodySchema = z
  .object({ group_folder: GroupFolder.optional() })
  .strict();

/** Main only: where a group's sandbox may connect. */
export const SetEgressPolicyBodySchema = EgressPolicySchema.extend({
  group_folder: GroupFolder,
}).strict();

/** Main only: who may wake a group's agent in its chat. */
export const SetSenderPolicyBodySchema = SenderPolicySchema.extend({
  group_folder: GroupFolder,
}).strict();

/** A date (YYYY-MM-DD, the whole day) or an ISO 8601 time. */
const DateText = z.string().min(4).max(40);

/** Full-text search over the caller's own group's chats (never another group's). */
export const SearchMessagesBodySchema = z
  .object({
    query: z.string().min(1).max(500),
    since: DateText.optional(),
    until: DateText.optional(),
    sender: z.string().min(1).max(200).optional(),
    limit: z.number().int().min(1).max(50).optional(),
  })
  .strict();
export type SearchMessagesBody = z.infer<typeof SearchMessagesBodySchema>;

/** A named specialist for a group (own group; any group: main only). */
export const DefineAgentBodySchema = z
  .object({
    group_folder: GroupFolder.optional(),
    name: SpecialistNameSchema,
    description: z.string().min(1).max(500).optional(),
    prompt: z.string().min(1).max(20_000).optional(),
    tools: z.array(z.string()).max(50).optional(),
    model: z.string().optional(),
    remove: z.boolean().optional(),
  })
  .strict();
export type DefineAgentBody = z.infer<typeof DefineAgentBodySchema>;

/** Most sub-tasks one `delegate` call may hand out. */
export const MAX_DELEGATE_TASKS = 10;

/** Independent sub-tasks for workers, each in its own sandbox of the caller's group. */
export const DelegateBodySchema = z
  .object({
    tasks: z
      .array(
        z
          .object({
            prompt: z.string().min(1).max(20_000),
            name: SpeakerNameSchema.optional(),
            /** The worker may write the group folder (default: read-only). */
            write_group_folder: z.boolean().optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_DELEGATE_TASKS),
  })
  .strict();
export type DelegateBody = z.infer<typeof DelegateBodySchema>;

export const HostApiOkSchema = z.object({ ok: z.literal(true) }).passthrough();
export const HostApiErrorSchema = z.object({ ok: z.literal(false), error: z.string() });

/** Header carrying the run capability on host API calls (model calls carry it as the API key). */
export const CAPABILITY_HEADER = 'authorization';
