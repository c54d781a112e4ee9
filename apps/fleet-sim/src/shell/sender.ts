import type { SimCommand, Settlement } from '../core/agent';
import type { ApiClient, Log } from './api-client';
import type { Stats } from './stats';

const MAX_BATCH = 1000;
const WAIT_MS = 15_000;

interface Queued {
  commandId: string;
  command: SimCommand;
  sentAt: number;
  onSettled: (settlement: Settlement) => void;
}

interface BatchResult {
  index: number;
  httpStatus: number;
  status?: 'accepted' | 'rejected' | 'pending';
  errno?: string;
  version?: number;
}

/**
 * Batches commands into `POST /v1/commands:batch?wait=true` (≤ 1000 each, a bounded number in
 * flight). Waiting makes each answer final and visible in the read model, so the agents never act
 * on a view older than their own reports. A command still pending after the wait is sent again
 * with the same id (the decider answers a repeat with the first outcome), so nothing is lost.
 */
export class Sender {
  private readonly queue: Queued[] = [];
  private running = 0;
  private sequence = 0;
  private stopped = false;

  constructor(
    private readonly api: ApiClient,
    private readonly runId: string,
    private readonly concurrency: number,
    private readonly stats: Stats,
    private readonly log: Log,
  ) {}

  get queued(): number {
    return this.queue.length;
  }

  send(command: SimCommand, onSettled: (settlement: Settlement) => void): void {
    const commandId = `${this.runId}-${command.hostId}-${(this.sequence++).toString(36)}`;
    this.queue.push({ commandId, command, sentAt: Date.now(), onSettled });
    this.pump();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Starts batches while there is work and room; a partial batch waits for a short moment. */
  private pump(): void {
    while (!this.stopped && this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.running++;
      void this.deliver(batch).finally(() => {
        this.running--;
        setTimeout(() => this.pump(), this.queue.length >= MAX_BATCH ? 0 : 50);
      });
    }
  }

  private async deliver(batch: Queued[]): Promise<void> {
    const body = {
      commands: batch.map(({ commandId, command }) => ({ commandId, ...command })),
    };
    let results: BatchResult[];
    try {
      const response = await this.api.request<{ results: BatchResult[] }>(
        'POST',
        `/v1/commands:batch?wait=true&timeoutMs=${WAIT_MS}`,
        body,
        6,
      );
      if (response.status !== 200) throw new Error(`batch answered HTTP ${response.status}`);
      results = response.body.results;
    } catch (error) {
      this.stats.failedBatches++;
      this.log('warn', `${(error as Error).message}; ${batch.length} commands requeued`);
      this.queue.unshift(...batch);
      return;
    }
    this.stats.batches++;
    const now = Date.now();
    const again: Queued[] = [];
    batch.forEach((item, index) => {
      const result = results[index];
      if (result?.status === 'accepted' || result?.status === 'rejected') {
        this.stats.settled(item.command, result.status, result.errno, now - item.sentAt);
        item.onSettled(
          result.status === 'accepted'
            ? { status: 'accepted', version: result.version ?? 0 }
            : { status: 'rejected', errno: result.errno ?? 'EINVAL', version: result.version },
        );
      } else if (result?.httpStatus === 400 || result?.httpStatus === 403) {
        this.stats.settled(item.command, 'rejected', `HTTP${result.httpStatus}`, now - item.sentAt);
        item.onSettled({ status: 'rejected', errno: `HTTP${result.httpStatus}` });
      } else {
        this.stats.pendingAgain++;
        again.push(item);
      }
    });
    this.queue.push(...again);
  }
}
