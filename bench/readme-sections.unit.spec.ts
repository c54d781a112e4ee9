import { renderChart } from './chart';
import { replaceSection } from './readme-sections';

describe('bench README sections', () => {
  const readme = '# Bench\n\nprose\n<!-- bench:decider -->\nold table\n<!-- /bench:decider -->\nmore prose\n';

  it('rewrites only the text between the markers of the workload', () => {
    const next = replaceSection(readme, 'decider', 'new table');
    expect(next).toBe(
      '# Bench\n\nprose\n<!-- bench:decider -->\nnew table\n<!-- /bench:decider -->\nmore prose\n',
    );
    expect(replaceSection(next, 'decider', 'newer')).toContain('<!-- bench:decider -->\nnewer\n<!--');
  });

  it('appends a section for a workload the README does not have yet', () => {
    const next = replaceSection(readme, 'peer', 'peer table');
    expect(next.startsWith(readme.trimEnd())).toBe(true);
    expect(next.endsWith('<!-- bench:peer -->\npeer table\n<!-- /bench:peer -->\n')).toBe(true);
  });
});

describe('bench chart', () => {
  it('draws each stage against its raw limit and the latency at each fixed rate', () => {
    const svg = renderChart({
      decider_commands_per_s: 5000,
      raw_kafka_txn_records_per_s: 100_000,
      e2e_p99_ms_at_200: 42.5,
      machine: '2 cores',
      date: '2026-11-28',
      mode: 'full',
    });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain('5,000 commands/s (5% of raw 100,000)');
    expect(svg).toContain('p99 at 200 commands/s');
    expect(svg).not.toContain('Queries over HTTP');
  });
});
