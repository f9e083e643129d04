/**
 * What the Telegram end-to-end tests share: the host harness of every channel skill
 * (test/support/channel-e2e.ts) with a fake Bot API on loopback and the skill's settings
 * pointing at it, and looks at what the bot sent.
 */
import { startHostE2e, untilCli, type HostE2e } from '../../../support/channel-e2e.js';
import { startFakeTelegram, type FakeCall, type FakeTelegram } from './fake-telegram.js';
import { until } from './harness.js';

export { untilCli };

export interface E2e extends HostE2e {
  telegram: FakeTelegram;
  /** What the bot sent to `chatId` (sendMessage texts, sendDocument/sendPhoto captions). */
  sentTo(chatId: number): FakeCall[];
}

export async function startE2e(prefix: string): Promise<E2e> {
  const telegram = await startFakeTelegram();
  const host = await startHostE2e(prefix, {
    dotenv: `TELEGRAM_BOT_TOKEN=${telegram.token}\nTELEGRAM_API_ROOT=${telegram.url}\n`,
    apiKey: 'sk-e2e-telegram-key',
  });
  return {
    ...host,
    telegram,
    sentTo: (chatId) =>
      telegram.calls.filter(
        (c) =>
          ['sendMessage', 'sendDocument', 'sendPhoto'].includes(c.method) &&
          Number(c.params.chat_id) === chatId,
      ),
    async close() {
      await telegram.close();
      await host.close();
    },
  };
}

/** The text of a sendMessage call (or a file's caption). */
export function sentText(call: FakeCall): string {
  return String(call.params.text ?? call.params.caption ?? '');
}

/** Waits until the fake has confirmed every update: the host stored (or dropped) each one. */
export async function allConfirmed(telegram: FakeTelegram): Promise<void> {
  await until(() => telegram.pending().length === 0, 30_000);
}
