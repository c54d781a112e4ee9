import { Progress } from './progress';

describe("the rebuild's progress line", () => {
  it('shows events done of the total, events/s, records/s and the time left at the current rate', () => {
    let now = 0;
    const progress = new Progress(
      () => undefined,
      () => now,
    );
    progress.start(60_000);
    progress.addTotal('events', 20_000);
    progress.addTotal('audit', 280_000);
    progress.add('events', 10_000);
    progress.add('audit', 90_000);
    now = 10_000;
    expect(progress.line()).toBe(
      'rebuild (replaying): events 10,000/20,000, audit 90,000/280,000 · 1,000 events/s, 10,000 records/s · 0:20 left',
    );
    progress.stop();
  });

  it('says the time left is unknown before anything is done, and counts hours past the hour', () => {
    let now = 0;
    const progress = new Progress(
      () => undefined,
      () => now,
    );
    progress.addTotal('audit', 4_000_000);
    now = 1000;
    expect(progress.line()).toMatch(/0 records\/s · \? left$/);
    progress.add('audit', 100);
    expect(progress.line()).toMatch(/11:06:39 left$/);
  });
});
