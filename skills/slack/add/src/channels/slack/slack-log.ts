/**
 * The Slack libraries' logger interface on top of ours. Their debug lines quote whole socket
 * payloads (message text), so they are dropped; info goes to debug, warnings and errors to
 * warn (the channel reports what matters as health). Tokens are redacted from every line.
 */
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../log.js';

export function slackLogger(log: Logger, redact: (text: string) => string): SlackLogger {
  const line = (parts: unknown[]) =>
    redact(parts.map((p) => (p instanceof Error ? p.message : String(p))).join(' '));
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => log.debug({ lib: 'slack' }, line(parts)),
    warn: (...parts: unknown[]) => log.warn({ lib: 'slack' }, line(parts)),
    error: (...parts: unknown[]) => log.warn({ lib: 'slack' }, line(parts)),
    setLevel: () => undefined,
    // Not DEBUG: the libraries then skip building their debug strings.
    getLevel: () => LogLevel.INFO,
    setName: () => undefined,
  };
}
