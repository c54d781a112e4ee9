interface Pending<T, R> {
  items: readonly T[];
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces concurrent calls: items that arrive while a flush is in flight leave together in the
 * next one, in arrival order, at most `maxItems` per flush (a single larger call leaves alone);
 * every call of a flush is answered with that flush's result. One flush is in flight at a time.
 *
 * Why: per-request round trips collapse under load. The api's idempotent producer allows one
 * produce request in flight, so one request per HTTP command queued past the send deadline (503s
 * while Kafka was fine); and hundreds of waiters woken by one NOTIFY each querying
 * command_outcomes queued on the pg pool (bench/e2e).
 *
 * A flush that fails rejects the calls it carried, and only those; the next flush goes on.
 */
export class Coalescer<T, R = void> {
  private readonly queue: Pending<T, R>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R>,
    private readonly maxItems: number,
  ) {}

  /** A call with no items is answered `empty` at once, without a flush. */
  submit(items: readonly T[], empty?: R): Promise<R> {
    if (items.length === 0) return Promise.resolve(empty as R);
    return new Promise<R>((resolve, reject) => {
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
          const result = await this.flush(group.flatMap((call) => call.items));
          for (const call of group) call.resolve(result);
        } catch (error) {
          for (const call of group) call.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
