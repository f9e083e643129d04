/**
 * Bodies of the host API that agent tools call through the gateway (`/api/...`).
 * The caller's identity is never in these bodies: it comes from the run's capability.
 */
import { z } from 'zod';
import { EgressPolicySchema, SenderPolicySchema } from './policies.js';

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
} as const;

export const SendMessageBodySchema = z.object({
  text: z.string().min(1).max(32_000),
  /** Target chat; absent means the run's own chat. Only main may name another chat (issue 4). */
  chatId: z.string().min(1).optional(),
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

export const HostApiOkSchema = z.object({ ok: z.literal(true) }).passthrough();
export const HostApiErrorSchema = z.object({ ok: z.literal(false), error: z.string() });

/** Header carrying the run capability on host API calls (model calls carry it as the API key). */
export const CAPABILITY_HEADER = 'authorization';
