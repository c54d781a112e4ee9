/**
 * Coalesces concurrent sends: items that arrive while a flush is in flight leave together in the
 * next one, in arrival order, at most `maxItems` per flush (a single larger send leaves alone).
 * The api's idempotent producer allows one produce request in flight, so one request per HTTP
 * command capped the api at one command per broker round trip; under load requests queued past
 * the send deadline and were refused with 503 while Kafka was fine (bench/e2e).
 *
 * A flush that fails rejects the sends it carried, and only those; the next flush goes on.
 */
export class SendCoalescer<T> {
  private readonly queue: { items: readonly T[]; resolve: () => void; reject: (error: unknown) => void }[] =
    [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly maxItems: number,
  ) {}

  send(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        let take = 1;
        let count = this.queue[0].items.length;
        while (take < this.queue.length && count + this.queue[take].items.length <= this.maxItems) {
          count += this.queue[take].items.length;
          take += 1;
        }
        const group = this.queue.splice(0, take);
        try {
          await this.flush(group.flatMap((send) => send.items));
          for (const send of group) send.resolve();
        } catch (error) {
          for (const send of group) send.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
