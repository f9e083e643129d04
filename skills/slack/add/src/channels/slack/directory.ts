/**
 * Names for people and channels (users.info, conversations.info), cached; best effort: a failed
 * lookup gives the id (and is tried again next time), never an error for the message.
 */
import type { webApi } from '@slack/bolt';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

const MAX_ENTRIES = 2000;

export class Directory {
  private readonly users = new Map<string, string>();
  private readonly channels = new Map<string, string>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly redact: (s: string) => string,
  ) {}

  async userName(userId: string): Promise<string> {
    return this.cached(this.users, userId, async () => {
      const res = await this.client.users.info({ user: userId });
      const u = res.user;
      return u?.profile?.display_name || u?.real_name || u?.name || undefined;
    });
  }

  /** `#general` for channels; the other person's name for a DM. */
  async chatName(channel: string, dmUser: string | undefined): Promise<string> {
    return this.cached(this.channels, channel, async () => {
      const res = await this.client.conversations.info({ channel });
      const c = res.channel;
      // An IM's other person is in `user` (Slack sends it; the typed response omits it).
      const other = (c as { user?: unknown } | undefined)?.user;
      const person = typeof other === 'string' ? other : dmUser;
      if (c?.is_im) return person ? await this.userName(person) : undefined;
      return c?.name ? `#${c.name}` : undefined;
    });
  }

  private async cached(
    map: Map<string, string>,
    key: string,
    lookup: () => Promise<string | undefined>,
  ): Promise<string> {
    const hit = map.get(key);
    if (hit !== undefined) return hit;
    try {
      const name = await lookup();
      if (!name) return key;
      if (map.size >= MAX_ENTRIES) map.clear();
      map.set(key, name);
      return name;
    } catch (error) {
      this.log.debug({ key, err: this.redact(errorMessage(error)) }, 'slack name lookup failed');
      return key;
    }
  }
}
