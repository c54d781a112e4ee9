/** What a rebuild has to replay and has replayed, per kind of record. */
export interface Counts {
  events: number;
  audit: number;
}

const number = (n: number) => Math.round(n).toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/**
 * The rebuild's progress line on stderr: events done of how many, events/s, records/s (events and
 * audit records), and the time left at the current rate. Totals grow while the topics do (catch-up
 * rounds), so the time left is an estimate of the records known so far.
 */
export class Progress {
  readonly done: Counts = { events: 0, audit: 0 };
  readonly total: Counts = { events: 0, audit: 0 };
  private timer: NodeJS.Timeout | undefined;
  private started: number;
  private phase = 'replaying';

  constructor(
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  start(intervalMs: number): void {
    this.started = this.now();
    this.timer = setInterval(() => this.write(this.line()), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  setPhase(phase: string): void {
    this.phase = phase;
  }

  addTotal(kind: keyof Counts, records: number): void {
    this.total[kind] += records;
  }

  add(kind: keyof Counts, records: number): void {
    this.done[kind] += records;
  }

  get elapsedMs(): number {
    return this.now() - this.started;
  }

  line(): string {
    const seconds = Math.max(this.elapsedMs / 1000, 0.001);
    const records = this.done.events + this.done.audit;
    const rate = records / seconds;
    const left = this.total.events + this.total.audit - records;
    return (
      `rebuild (${this.phase}): events ${number(this.done.events)}/${number(this.total.events)}, ` +
      `audit ${number(this.done.audit)}/${number(this.total.audit)} · ` +
      `${number(this.done.events / seconds)} events/s, ${number(rate)} records/s · ` +
      `${duration(rate > 0 ? left / rate : Infinity)} left`
    );
  }
}
