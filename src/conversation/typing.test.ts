import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { EventBus } from './bus.js';
import { TypingIndicator } from './typing.js';

describe('typing indicator', () => {
  it("shows on the channel and on the bus for any channel's chat (the web shows it too)", async () => {
    const bus = new EventBus();
    const onBus: { chatId: string; on: boolean }[] = [];
    bus.on('typing', (t) => onBus.push(t));
    const onChannel: [string, boolean][] = [];
    const refresh: (() => void)[] = [];
    const telegram = {
      name: 'telegram',
      ownsChat: (chatId: string) => chatId.startsWith('telegram:'),
      start: async () => {},
      stop: async () => {},
      send: async () => {},
      setTyping: async (chatId: string, on: boolean) => void onChannel.push([chatId, on]),
    };
    const typing = new TypingIndicator({
      channels: () => [telegram],
      timers: {
        setTimeout,
        clearTimeout,
        setInterval: (fn: () => void) => (refresh.push(fn), setTimeout(() => {}, 0)),
        clearInterval: (h: NodeJS.Timeout) => clearTimeout(h),
      },
      log: silentLogger(),
      bus,
    });
    typing.start('telegram:42');
    typing.start('telegram:42'); // already on: nothing new
    refresh[0]?.(); // the platform's indicator expires: shown again, and said again
    typing.stop('telegram:42');
    typing.stop('telegram:42');
    expect(onBus).toEqual([
      { chatId: 'telegram:42', on: true },
      { chatId: 'telegram:42', on: true },
      { chatId: 'telegram:42', on: false },
    ]);
    expect(onChannel).toEqual([
      ['telegram:42', true],
      ['telegram:42', true],
      ['telegram:42', false],
    ]);
  });
});
