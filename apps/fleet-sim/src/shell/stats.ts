import type { SimCommand } from '../core/agent';

/** Counters for the summary line and for the measurements in the report. */
export class Stats {
  sent = 0;
  accepted = 0;
  rejected = new Map<string, number>();
  batches = 0;
  failedBatches = 0;
  pendingAgain = 0;
  polls = 0;
  pollErrors = 0;
  transitionsSeen = 0;
  transitionsCompleted = 0;
  private latencies: number[] = [];
  private lastAt = Date.now();
  private lastSettled = 0;

  settled(command: SimCommand, status: 'accepted' | 'rejected', errno: string | undefined, ms: number): void {
    if (status === 'accepted') this.accepted++;
    else {
      const key = `${command.type}:${errno ?? '?'}`;
      this.rejected.set(key, (this.rejected.get(key) ?? 0) + 1);
    }
    if (status === 'accepted' && (command.type === 'PatchComplete' || command.type === 'UnpatchComplete'))
      this.transitionsCompleted++;
    this.latencies.push(ms);
  }

  rejectedTotal(): number {
    return [...this.rejected.values()].reduce((sum, count) => sum + count, 0);
  }

  /** Settled commands per second and send-to-visible latency since the last call. */
  window(): { perSecond: number; p50: number; p95: number } {
    const now = Date.now();
    const settled = this.accepted + this.rejectedTotal();
    const perSecond = ((settled - this.lastSettled) * 1000) / Math.max(1, now - this.lastAt);
    const sorted = this.latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
    const result = { perSecond, p50: at(0.5), p95: at(0.95) };
    this.latencies = [];
    this.lastAt = now;
    this.lastSettled = settled;
    return result;
  }
}
