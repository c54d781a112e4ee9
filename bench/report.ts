export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

export interface Row {
  workload: string;
  unit: string;
  summary: Summary;
  /** The raw limit measured in the same run; the ratio is median / limit median. */
  limit?: Summary;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');

export function formatTable(
  rows: Row[],
  context: { runs: number; seconds: number; workload: string; machine: string; command: string },
): string {
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16)}Z on ${context.machine} with \`${context.command}\`: ` +
      `${context.runs} run(s) of ${context.seconds} s each; ${context.workload}.`,
    '',
    '| workload | unit | median | min | max | ratio to raw limit |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.workload} | ${row.unit} | ${number(row.summary.median)} | ${number(row.summary.min)} | ` +
        `${number(row.summary.max)} | ${row.limit ? `${((row.summary.median / row.limit.median) * 100).toFixed(0)}%` : '—'} |`,
    ),
  ];
  return lines.join('\n');
}
