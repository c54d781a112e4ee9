import type { BatchResult } from './batch-transaction';

/** Counters for the periodic summary line; `drain` answers them since the previous summary. */
export class DeciderStats {
  commands = 0;
  accepted = 0;
  rejected = 0;
  duplicate = 0;
  dead = 0;
  events = 0;
  audit = 0;
  snapshots = 0;
  transactions = 0;
  aborted = 0;
  recoveries = 0;
  private transactionMs = 0;
  private since = Date.now();

  batch(result: BatchResult, ms: number): void {
    const { counts } = result.decided;
    this.commands += counts.accepted + counts.rejected + counts.duplicate + counts.dead;
    this.accepted += counts.accepted;
    this.rejected += counts.rejected;
    this.duplicate += counts.duplicate;
    this.dead += counts.dead;
    this.events += result.decided.events.length;
    this.audit += result.auditRecords;
    this.snapshots += result.snapshots;
    this.transactions += 1;
    this.transactionMs += ms;
  }

  drain(): Record<string, number> {
    const seconds = Math.max(0.001, (Date.now() - this.since) / 1000);
    const out = {
      commands: this.commands,
      commandsPerSec: Math.round(this.commands / seconds),
      accepted: this.accepted,
      rejected: this.rejected,
      duplicate: this.duplicate,
      dead: this.dead,
      events: this.events,
      audit: this.audit,
      snapshots: this.snapshots,
      transactions: this.transactions,
      avgTransactionMs: this.transactions ? Math.round(this.transactionMs / this.transactions) : 0,
      aborted: this.aborted,
      recoveries: this.recoveries,
    };
    Object.assign(this, {
      commands: 0,
      accepted: 0,
      rejected: 0,
      duplicate: 0,
      dead: 0,
      events: 0,
      audit: 0,
      snapshots: 0,
      transactions: 0,
      aborted: 0,
      recoveries: 0,
      transactionMs: 0,
      since: Date.now(),
    });
    return out;
  }
}
