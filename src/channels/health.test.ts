import { describe, expect, it } from 'vitest';
import { ChannelHealthBoard, describeHealth } from './health.js';

function recordingLog() {
  const lines: string[] = [];
  const at = (level: string) => (_fields: unknown, message: string) =>
    lines.push(`${level} ${message}`);
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('channel health', () => {
  it('keeps the latest state per channel and logs once per change of state', () => {
    const { lines, log } = recordingLog();
    let now = 1000;
    const board = new ChannelHealthBoard({ log: log as never, now: () => now });
    board.report('telegram', { state: 'connecting' });
    board.report('telegram', { state: 'connected' });
    now = 2000;
    board.report('telegram', { state: 'reconnecting', reason: 'network down', retryInMs: 1000 });
    board.report('telegram', { state: 'reconnecting', reason: 'network down', retryInMs: 4000 });
    board.report('telegram', { state: 'reconnecting', reason: 'network down', retryInMs: 8000 });
    now = 3000;
    board.report('telegram', { state: 'failed', reason: 'bad token', fix: 'get a new one' });
    expect(lines).toEqual([
      'info channel telegram: connecting',
      'info channel telegram: connected',
      'warn channel telegram: reconnecting in 1s: network down',
      'error channel telegram: failed: bad token (get a new one)',
    ]);
    const [state] = board.list();
    expect(state?.since).toBe(3000);
    expect(describeHealth({ state: 'reconnecting', reason: 'x', retryInMs: 1500 })).toBe(
      'reconnecting in 2s: x',
    );
  });

  it('a link prompt: described with its code, logged once however often the QR renews', () => {
    const { lines, log } = recordingLog();
    const board = new ChannelHealthBoard({ log: log as never, now: () => 1 });
    const link = (n: number) => ({
      instructions: 'scan the QR code',
      qrImage: `data:image/png;base64,${n}`,
    });
    board.report('whatsapp', { state: 'connecting' });
    board.report('whatsapp', { state: 'connecting', link: link(1) });
    board.report('whatsapp', { state: 'connecting', link: link(2) });
    expect(lines).toEqual([
      'info channel whatsapp: connecting',
      'info channel whatsapp: waiting to be linked: scan the QR code',
    ]);
    expect(board.list()[0]?.health).toMatchObject({ link: { qrImage: 'data:image/png;base64,2' } });
    const code = {
      state: 'connecting',
      link: { instructions: 'type the code', code: 'ABCD-1234' },
    } as const;
    expect(describeHealth(code)).toBe('waiting to be linked: type the code (code ABCD-1234)');
  });
});
