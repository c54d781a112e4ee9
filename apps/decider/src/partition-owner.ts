import type { Producer } from 'kafkajs';
import type { PartitionState } from './partition-state';

/**
 * One partition this instance owns: its state and the producer of its transactional id. Batches
 * of the partition run one at a time (`exclusive`), also across a rebalance, when kafkajs may hand
 * out the next generation's batch before the previous one finished.
 */
export class PartitionOwner {
  private tail: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    readonly producer: Producer,
    readonly state: PartitionState,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Lets the running batch finish, then lets go of the producer; later batches find it closed. */
  close(): Promise<void> {
    this.closed = true;
    return this.exclusive(() => this.producer.disconnect().catch(() => undefined));
  }
}
