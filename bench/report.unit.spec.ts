import { formatTable, summarize } from './report';

describe('benchmark summaries', () => {
  it('takes the median, min and max of the runs', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('gives the ratio of a workload to its raw limit', () => {
    const table = formatTable(
      [
        { workload: 'raw', unit: 'records/s', summary: summarize([20_000]) },
        { workload: 'decider', unit: 'commands/s', summary: summarize([5_000]), limit: summarize([20_000]) },
      ],
      { runs: 1, seconds: 60, workload: 'test workload', machine: 'test', command: 'npm run bench' },
    );
    expect(table).toMatch(/\| decider \| commands\/s \| 5,000 \| 5,000 \| 5,000 \| 25% \|/);
  });
});
