/**
 * What agent tools do on the host. Each handler gets the caller's RunContext (from its
 * capability) and checks it with the pure rules in security/authz.ts before touching anything.
 */
import type { Config } from './config.js';
import type { EventBus } from './conversation/bus.js';
import type { Outbox } from './conversation/outbox.js';
import { ForbiddenError, UserError } from './errors.js';
import type { HostApiHandlers } from './gateway/types.js';
import type { Store } from './host.js';
import { stripInternal } from './runs/text.js';
import { registerGroup } from './groups/manage.js';
import { canManageGroups, canSendTo, type Decision } from './security/authz.js';
import {
  ListGroupsBodySchema,
  RegisterGroupBodySchema,
  HOST_API_PATHS,
  type RegisterGroupBody,
} from './shared/host-api.js';
import { outboxMessage } from './store/messages.js';

export interface HostApiDeps {
  store: Store;
  outbox: Outbox;
  bus: EventBus;
  config: Config;
}

function enforce(decision: Decision): void {
  if (!decision.allow) throw new ForbiddenError(decision.reason);
}

export function hostApiHandlers(deps: HostApiDeps): HostApiHandlers {
  const { groups, messages } = deps.store;
  return {
    async sendMessage(context, body) {
      const own = groups.get(context.group.folder)?.chatId;
      const target = body.chatId ?? own;
      if (!target) throw new UserError('this group has no chat to send to');
      enforce(canSendTo(context, own, target));
      if (!messages.chatExists(target)) throw new UserError(`unknown chat ${target}`);
      const text = stripInternal(body.text);
      if (!text) return;
      const now = Date.now();
      const item = messages.enqueue(target, text, deps.config.assistantName, now);
      deps.bus.emit('message', outboxMessage(item, deps.config.assistantName, now));
      deps.outbox.kick();
    },
    extra: {
      [HOST_API_PATHS.registerGroup]: {
        schema: RegisterGroupBodySchema,
        async handle(context, body) {
          enforce(canManageGroups(context));
          const input = body as RegisterGroupBody;
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
          );
          return { folder: group.folder, chatId: group.chatId };
        },
      },
      [HOST_API_PATHS.listGroups]: {
        schema: ListGroupsBodySchema,
        async handle(context) {
          const visible = groups
            .list()
            .filter((g) => context.group.isMain || g.folder === context.group.folder);
          return {
            groups: visible.map((g) => ({
              folder: g.folder,
              name: g.name,
              chatId: g.chatId,
              isMain: g.isMain,
              requiresTrigger: g.requiresTrigger,
              trigger: g.trigger ?? `@${deps.config.assistantName}`,
            })),
          };
        },
      },
    },
  };
}
