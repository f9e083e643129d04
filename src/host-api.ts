/**
 * What agent tools do on the host. Each handler gets the caller's RunContext (from its
 * capability) and checks it with the pure rules in security/authz.ts before touching anything.
 */
import type { Config } from './config.js';
import { postAssistantMessage, type PostDeps } from './conversation/post.js';
import { sendFile, toolTarget } from './conversation/send-file.js';
import type { AnsweredTurn } from './conversation/service.js';
import { ForbiddenError, UserError } from './errors.js';
import type { ExtraRoute, HostApiHandlers, RunContext } from './gateway/types.js';
import type { z } from 'zod';
import type { Store } from './host.js';
import { stripInternal } from './runs/text.js';
import { registerGroup } from './groups/manage.js';
import { defineAgent } from './groups/specialists.js';
import { canDelegate, canManageGroups, type Decision } from './security/authz.js';
import { checkMount } from './security/mounts.js';
import {
  GetGroupPoliciesBodySchema,
  ListChatsBodySchema,
  ListGroupsBodySchema,
  SetEgressPolicyBodySchema,
  SetSenderPolicyBodySchema,
  SearchMessagesBodySchema,
  DefineAgentBodySchema,
  DelegateBodySchema,
  type DelegateBody,
  type SearchMessagesBody,
  RegisterGroupBodySchema,
  RemoveGroupMountBodySchema,
  SendFileBodySchema,
  SetGroupMountBodySchema,
  HOST_API_PATHS,
} from './shared/host-api.js';
import type { TaskService } from './scheduler/service.js';
import { TASK_SCHEMAS } from './shared/task-api.js';
import { SEARCH_MAX_LIMIT, parseBound } from './store/search.js';

/** Default number of hits a search returns. */
const SEARCH_DEFAULT_LIMIT = 20;

/**
 * The caller's group's history only: every chat of the group, and no other (main included —
 * its authority over other groups does not extend to reading their conversations).
 */
function searchMessages(store: Store, context: RunContext, body: SearchMessagesBody) {
  let range: { since?: number; until?: number };
  try {
    range = {
      ...(body.since ? { since: parseBound(body.since, 'since') } : {}),
      ...(body.until ? { until: parseBound(body.until, 'until') } : {}),
    };
  } catch (error) {
    throw new UserError((error as Error).message, { cause: error });
  }
  const chats = store.groups.chats(context.group.folder);
  const limit = Math.min(body.limit ?? SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT);
  const hits = store.search.search(chats, {
    text: body.query,
    ...range,
    ...(body.sender ? { sender: body.sender } : {}),
    limit,
  });
  return {
    hits: hits.map((h) => ({ ...h, time: new Date(h.ts).toISOString() })),
    ...(hits.length === limit ? { note: `only the best ${limit}: narrow the query or dates` } : {}),
  };
}
import {
  GetUsageBodySchema,
  SetBudgetBodySchema,
  SetModelBodySchema,
  USAGE_API_PATHS,
} from './shared/usage-api.js';
import { UsageService } from './usage/service.js';

export interface HostApiDeps {
  store: Store;
  post: PostDeps;
  config: Config;
  tasks: TaskService;
  /** Chat id prefixes of the channels this installation has (the channel registry's names). */
  channels: readonly string[];
  /** The chat and message the live conversation run `runId` is answering now, if it is one. */
  answering?(runId: string): AnsweredTurn | undefined;
  /** Runs a lead's sub-tasks in worker sandboxes (runs/delegate.ts); absent: not offered. */
  delegate?(context: RunContext, body: DelegateBody): Promise<unknown>;
}

function enforce(decision: Decision): void {
  if (!decision.allow) throw new ForbiddenError(decision.reason);
}

/** One typed host API route: the body reaching `handle` has passed `schema`. */
function route<S extends z.ZodType>(
  schema: S,
  handle: (context: RunContext, body: z.infer<S>) => unknown,
): ExtraRoute {
  return { schema, handle: async (context, body) => handle(context, body as z.infer<S>) };
}

export function hostApiHandlers(deps: HostApiDeps): HostApiHandlers {
  const { groups, messages } = deps.store;
  return {
    async sendMessage(context, body) {
      const { chatId, replyTo } = toolTarget({ ...deps, groups, messages }, context, body.chatId);
      const text = stripInternal(body.text);
      // A worker speaks under its own name unless it gives another (`as`).
      const sender = body.as ?? context.worker?.name;
      if (text) {
        postAssistantMessage(deps.post, chatId, text, {
          ...(replyTo ? { replyTo } : {}),
          ...(sender ? { sender } : {}),
        });
      }
    },
    extra: {
      [HOST_API_PATHS.sendFile]: route(SendFileBodySchema, (context, body) =>
        sendFile({ ...deps, groups, messages }, context, body),
      ),
      ...taskRoutes(deps.tasks),
      ...groupRoutes(deps),
      ...mountRoutes(deps),
      ...policyRoutes(deps),
      [HOST_API_PATHS.searchMessages]: route(SearchMessagesBodySchema, (context, body) =>
        searchMessages(deps.store, context, body),
      ),
      [HOST_API_PATHS.defineAgent]: route(DefineAgentBodySchema, (context, body) =>
        defineAgent({ config: deps.config, groups }, context, body),
      ),
      ...usageRoutes(deps),
      [HOST_API_PATHS.delegate]: route(DelegateBodySchema, (context, body) => {
        enforce(canDelegate(context));
        if (!deps.delegate) throw new UserError('delegate is not available in this process.');
        return deps.delegate(context, body);
      }),
    },
  };
}

/** Registering and listing groups: registering is main-only; listing shows what the caller may see. */
function groupRoutes(deps: HostApiDeps): Record<string, ExtraRoute> {
  return {
    [HOST_API_PATHS.registerGroup]: route(RegisterGroupBodySchema, (context, input) => {
      enforce(canManageGroups(context));
      const group = registerGroup(
        deps.store,
        deps.config,
        {
          folder: input.folder,
          name: input.name,
          chatId: input.chat_id,
          trigger: input.trigger,
          requiresTrigger: input.requires_trigger,
        },
        new Date(),
        deps.channels,
      );
      return { folder: group.folder, chatId: group.chatId };
    }),
    [HOST_API_PATHS.listChats]: route(ListChatsBodySchema, (context, body) => {
      enforce(canManageGroups(context));
      const chats = deps.store.messages.chats({ unregistered: body.unregistered_only ?? false });
      return {
        chats: chats.map((c) => ({
          chatId: c.chatId,
          channel: c.channel,
          kind: c.kind,
          name: c.name,
          group: c.group ?? null,
        })),
      };
    }),
    [HOST_API_PATHS.listGroups]: route(ListGroupsBodySchema, (context) => ({
      groups: deps.store.groups
        .list()
        .filter((g) => context.group.isMain || g.folder === context.group.folder)
        .map((g) => ({
          folder: g.folder,
          name: g.name,
          chatId: g.chatId,
          chats: deps.store.groups.chats(g.folder),
          isMain: g.isMain,
          requiresTrigger: g.requiresTrigger,
          trigger: g.trigger ?? `@${deps.config.assistantName}`,
        })),
    })),
  };
}

/** A group's extra mounts: main only, and never beyond what the mount allowlist allows. */
function mountRoutes(deps: HostApiDeps): Record<string, ExtraRoute> {
  return {
    [HOST_API_PATHS.setGroupMount]: route(SetGroupMountBodySchema, (context, body) => {
      enforce(canManageGroups(context));
      const group = deps.store.groups.get(body.group_folder);
      if (!group) throw new UserError(`No group "${body.group_folder}".`);
      const request = {
        hostPath: body.host_path,
        name: body.name,
        readWrite: body.read_write ?? false,
      };
      const decision = checkMount(deps.config.mountAllowlist, request, group.isMain);
      if (!decision.allowed) throw new UserError(`Mount refused: ${decision.reason}`);
      deps.store.mounts.set(group.folder, { ...request, hostPath: decision.hostPath });
      return { mount: `/workspace/extra/${decision.name}`, mode: decision.mode, nextRun: true };
    }),
    [HOST_API_PATHS.removeGroupMount]: route(RemoveGroupMountBodySchema, (context, body) => {
      enforce(canManageGroups(context));
      if (!deps.store.mounts.remove(body.group_folder, body.name)) {
        throw new UserError(`Group ${body.group_folder} has no mount "${body.name}".`);
      }
      return { removed: body.name };
    }),
  };
}

/** Sender and egress policies: anyone may read their own, only main may change any. */
function policyRoutes(deps: HostApiDeps): Record<string, ExtraRoute> {
  const { groups } = deps.store;
  const existing = (folder: string) => {
    const group = groups.get(folder);
    if (!group) throw new UserError(`No group "${folder}".`);
    return group;
  };
  return {
    [HOST_API_PATHS.getGroupPolicies]: route(GetGroupPoliciesBodySchema, (context, body) => {
      const folder = body.group_folder ?? context.group.folder;
      if (folder !== context.group.folder) enforce(canManageGroups(context));
      const group = existing(folder);
      return { group: folder, senders: group.senderPolicy, egress: group.egressPolicy };
    }),
    [HOST_API_PATHS.setEgressPolicy]: route(SetEgressPolicyBodySchema, (context, body) => {
      enforce(canManageGroups(context));
      const { group_folder: folder, ...policy } = body;
      existing(folder);
      groups.setEgressPolicy(folder, policy);
      return { group: folder, egress: policy, appliesAt: 'the next connection' };
    }),
    [HOST_API_PATHS.setSenderPolicy]: route(SetSenderPolicyBodySchema, (context, body) => {
      enforce(canManageGroups(context));
      const { group_folder: folder, ...policy } = body;
      existing(folder);
      groups.setSenderPolicy(folder, policy);
      return { group: folder, senders: policy, appliesAt: 'the next message' };
    }),
  };
}

/** The task tools: one route each, `/api/<tool name>`, body checked by its shared schema. */
function taskRoutes(service: TaskService): Record<string, ExtraRoute> {
  return {
    '/api/schedule_task': route(TASK_SCHEMAS.schedule_task, (c, b) => service.schedule(c, b)),
    '/api/list_tasks': route(TASK_SCHEMAS.list_tasks, (c, b) => service.list(c, b)),
    '/api/get_task': route(TASK_SCHEMAS.get_task, (c, b) => service.get(c, b)),
    '/api/update_task': route(TASK_SCHEMAS.update_task, (c, b) => service.update(c, b)),
    '/api/pause_task': route(TASK_SCHEMAS.pause_task, (c, b) => service.pause(c, b)),
    '/api/resume_task': route(TASK_SCHEMAS.resume_task, (c, b) => service.resume(c, b)),
    '/api/cancel_task': route(TASK_SCHEMAS.cancel_task, (c, b) => service.cancel(c, b)),
    '/api/run_task_now': route(TASK_SCHEMAS.run_task_now, (c, b) => service.runNow(c, b)),
  };
}

/** Usage (own group; main any), budgets and models (main only). */
function usageRoutes(deps: HostApiDeps): Record<string, ExtraRoute> {
  const service = new UsageService({ ...deps.store, now: Date.now });
  return {
    [USAGE_API_PATHS.getUsage]: route(GetUsageBodySchema, (context, body) =>
      service.report(context, { group: body.group_folder, since: body.since, by: body.by }),
    ),
    [USAGE_API_PATHS.setBudget]: route(SetBudgetBodySchema, (c, b) => service.setBudget(c, b)),
    [USAGE_API_PATHS.setModel]: route(SetModelBodySchema, (c, b) => service.setModel(c, b)),
  };
}
