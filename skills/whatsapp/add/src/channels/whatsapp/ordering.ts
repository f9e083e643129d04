/**
 * WhatsApp's timestamps are whole seconds and its message ids are random, so two messages of
 * the same second would sort at random in the store (it orders a chat by (ts, id)). This gives
 * each chat's messages strictly increasing timestamps in arrival order (which is sending order
 * for one sender), never earlier than WhatsApp's own. A re-delivery may get a different ts; the
 * store keeps the first copy (it ignores a known id). Bounded memory.
 */
const LIMIT = 5000;

export class ChatClock {
  private readonly last = new Map<string, number>();

  next(chatId: string, ts: number): number {
    const value = Math.max(ts, (this.last.get(chatId) ?? -Infinity) + 1);
    this.last.delete(chatId);
    this.last.set(chatId, value);
    const oldest = this.last.keys().next().value;
    if (this.last.size > LIMIT && oldest !== undefined) this.last.delete(oldest);
    return value;
  }
}
