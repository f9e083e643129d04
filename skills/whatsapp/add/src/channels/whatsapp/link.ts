/**
 * What the operator sees of the connection: the machine's state as ChannelHealth (pure), with
 * the QR code (or pairing code) to link the phone as a link prompt, and the QR drawn for the
 * terminal and as a PNG data URL for the web page (qrcode 1.5.4).
 */
import type { ChannelHealth } from '../channel.js';
import type { ConnState } from './machine.js';

export interface QrRenderer {
  /** `data:image/png;base64,…` */
  image(text: string): Promise<string>;
  /** Block characters for a terminal. */
  terminal(text: string): Promise<string>;
}

export const SCAN =
  'on your phone open WhatsApp → Settings → Linked devices → Link a device, and scan the QR ' +
  "code (printed in the host's terminal and shown on the web page)";
export const TYPE_CODE =
  'on your phone open WhatsApp → Settings → Linked devices → Link a device → Link with phone ' +
  'number instead, and type this code';

/** Pure: the health for a state (`qrImage` is the rendered QR of a linking state, if any). */
export function healthOf(state: ConnState, qrImage?: string): ChannelHealth {
  switch (state.kind) {
    case 'idle':
    case 'connecting':
    case 'stopped':
      return { state: 'connecting' };
    case 'linking':
      if (state.code)
        return { state: 'connecting', link: { instructions: TYPE_CODE, code: state.code } };
      if (state.qr && qrImage)
        return { state: 'connecting', link: { instructions: SCAN, qrImage } };
      return { state: 'connecting' };
    case 'open':
      return { state: 'connected' };
    case 'waiting':
      return { state: 'reconnecting', reason: state.reason, retryInMs: state.retryInMs };
    case 'failed':
      return { state: 'failed', reason: state.reason, fix: state.fix };
  }
}

export async function qrcodeRenderer(): Promise<QrRenderer> {
  const qrcode = await import('qrcode');
  return {
    image: (text) => qrcode.toDataURL(text, { type: 'image/png', margin: 2, scale: 6 }),
    terminal: (text) => qrcode.toString(text, { type: 'terminal', small: true }),
  };
}
