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
import { canSendTo, type Decision } from './security/authz.js';
import { outboxMessage } from './store/messages.js';

export interface HostApiDeps {
  store: Store;
  outbox: Outbox;
  bus: EventBus;
  config: Pick<Config, 'assistantName'>;
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
  };
}
