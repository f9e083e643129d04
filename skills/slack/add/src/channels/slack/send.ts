/**
 * Outbound: Markdown rendered as mrkdwn, split at Slack's advised 4000 characters by the core
 * splitter (code blocks intact), posted in order, into the thread of the message it answers
 * (when that message was in a thread). Files go through files.uploadV2 (getUploadURLExternal,
 * upload, completeUploadExternal). A 429 is waited out in place when Slack asks for a short
 * pause (Retry-After, bounded) and otherwise thrown, so the outbox retries the message later;
 * the parts already delivered are remembered and not posted again. A 429 means Slack did not
 * post, so a retry cannot double a message.
 */
import type { webApi } from '@slack/bolt';
import { NanoClawError, UserError } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import { splitMarkdown } from '../split.js';
import { slackChannelOf, threadOf } from './event.js';
import { sleep } from './health.js';
import { MESSAGE_LIMIT, renderMrkdwn } from './render.js';
import { SendProgress } from '../progress.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

export interface SendLimits {
  /** A longer Retry-After is not waited out here: the outbox retries later instead. */
  maxRetryAfterS: number;
  /** 429s waited out for one call before giving up. */
  maxRateLimitRetries: number;
}

/** Slack rate-limited a send longer than we wait in place; the outbox retries it. */
export class SlackRateLimitError extends NanoClawError {}

type Step = (signal: AbortSignal) => Promise<void>;

function retryAfterOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; retryAfter?: unknown } | null;
  return e?.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number'
    ? e.retryAfter
    : undefined;
}

export class Sender {
  private readonly progress = new SendProgress();

  constructor(
    private readonly client: WebClient,
    private readonly limits: SendLimits,
  ) {}

  async send(message: OutboundMessage, signal: AbortSignal): Promise<void> {
    const channel = slackChannelOf(message.chatId);
    if (channel === undefined) throw new UserError(`${message.chatId} is not a Slack chat id`);
    const steps = this.steps(channel, threadOf(message.replyTo), message);
    await this.progress.run(message.messageId, steps.length, (i) => steps[i]?.(signal));
  }

  private steps(channel: string, thread: string | undefined, message: OutboundMessage): Step[] {
    const where = { channel, ...(thread ? { thread_ts: thread } : {}) };
    const { file } = message;
    const whole = renderMrkdwn(message.text);
    if (file && whole.length <= MESSAGE_LIMIT) return [(s) => this.upload(where, file, whole, s)];
    const chunks = splitMarkdown(message.text, {
      limit: MESSAGE_LIMIT,
      measure: (md) => renderMrkdwn(md).length,
    });
    const steps: Step[] = chunks.map((md) => (s) => this.post(where, renderMrkdwn(md), s));
    if (file) steps.push((s) => this.upload(where, file, '', s));
    return steps;
  }

  private async post(
    where: { channel: string; thread_ts?: string },
    text: string,
    signal: AbortSignal,
  ): Promise<void> {
    await this.call(
      () => this.client.chat.postMessage({ ...where, text, mrkdwn: true, unfurl_links: false }),
      signal,
    );
  }

  private async upload(
    where: { channel: string; thread_ts?: string },
    file: NonNullable<OutboundMessage['file']>,
    comment: string,
    signal: AbortSignal,
  ): Promise<void> {
    const content = {
      file: file.bytes,
      filename: file.name,
      ...(comment ? { initial_comment: comment } : {}),
    };
    const { channel, thread_ts } = where;
    await this.call(
      () =>
        this.client.filesUploadV2(
          thread_ts
            ? { ...content, channel_id: channel, thread_ts }
            : { ...content, channel_id: channel },
        ),
      signal,
    );
  }

  /** Runs a Web API call, waiting out 429s with their Retry-After (bounded). */
  private async call<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await fn();
      } catch (error) {
        const after = retryAfterOf(error);
        if (after === undefined) throw error;
        if (after > this.limits.maxRetryAfterS || tries >= this.limits.maxRateLimitRetries) {
          throw new SlackRateLimitError(
            `Slack rate-limits this app (retry after ${after} s); the message will be retried.`,
            { retryAfterS: after },
            { cause: error },
          );
        }
        await sleep(after * 1000, signal);
        if (signal.aborted) throw error;
      }
    }
  }
}
