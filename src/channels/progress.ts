/**
 * Which parts of an outbox message a channel has delivered, so the outbox's retry of a message
 * sent in several parts (a long text, a file after it) resumes after them and no part arrives
 * twice. In memory and bounded (the oldest messages are forgotten first).
 */

/** Messages partly sent that are remembered at most. */
export const PROGRESS_LIMIT = 500;

export class SendProgress {
  private readonly done = new Map<string, number>();

  constructor(private readonly limit = PROGRESS_LIMIT) {}

  /** Sends parts `0 … count - 1` of message `id` in order, from the first not yet delivered. */
  async run(
    id: string,
    count: number,
    part: (index: number) => Promise<void> | undefined,
  ): Promise<void> {
    for (let i = this.done.get(id) ?? 0; i < count; i++) {
      await part(i);
      this.remember(id, i + 1);
    }
    this.done.delete(id);
  }

  private remember(id: string, done: number): void {
    // Re-inserted so the map's order is by latest progress: the first key is the oldest.
    this.done.delete(id);
    this.done.set(id, done);
    const oldest = this.done.keys().next().value;
    if (this.done.size > this.limit && oldest !== undefined) this.done.delete(oldest);
  }
}
