/**
 * bench/chart.svg from bench/results.json: throughput of each stage beside its raw limit, and
 * end-to-end latency (p99) at the fixed rates. Plain SVG, no plotting dependency.
 */
type Results = Record<string, number | string>;

interface Bar {
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The raw limit the value is a share of; drawn as a grey bar behind it. */
  readonly limit?: number;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const number = (value: number) => Math.round(value).toLocaleString('en-US');
const numeric = (results: Results, key: string): number | undefined =>
  typeof results[key] === 'number' ? results[key] : undefined;

function bars(title: string, items: readonly Bar[], top: number): string[] {
  const width = 420;
  const lines = [`<text x="20" y="${top}" font-weight="bold">${escape(title)}</text>`];
  items.forEach((item, index) => {
    const y = top + 14 + index * 34;
    const scale = Math.max(item.value, item.limit ?? 0) || 1;
    const limitWidth = item.limit ? width : 0;
    const valueWidth = (item.value / scale) * width;
    const share = item.limit
      ? ` (${((item.value / item.limit) * 100).toFixed(0)}% of raw ${number(item.limit)})`
      : '';
    lines.push(
      `<text x="20" y="${y + 12}" font-size="12">${escape(item.label)}</text>`,
      limitWidth ? `<rect x="250" y="${y}" width="${limitWidth}" height="16" fill="#ddd"/>` : '',
      `<rect x="250" y="${y}" width="${valueWidth.toFixed(1)}" height="16" fill="#3a7bd5"/>`,
      `<text x="250" y="${y + 29}" font-size="11">${number(item.value)} ${escape(item.unit)}${escape(share)}</text>`,
    );
  });
  return lines;
}

export function renderChart(results: Results): string {
  const throughput: Bar[] = [];
  const add = (label: string, key: string, unit: string, limitKey?: string) => {
    const value = numeric(results, key);
    if (value !== undefined)
      throughput.push({ label, value, unit, limit: limitKey ? numeric(results, limitKey) : undefined });
  };
  add('decider', 'decider_commands_per_s', 'commands/s', 'raw_kafka_txn_records_per_s');
  add('projector (events)', 'projector_events_per_s', 'events/s');
  add('Emmett peer (commands)', 'emmett_appends_per_s', 'commands/s');
  add('Emmett peer + projection', 'emmett_projection_events_per_s', 'events/s');
  const latency: Bar[] = [50, 200, 1000].flatMap((rate) => {
    const value = numeric(results, `e2e_p99_ms_at_${rate}`);
    return value === undefined ? [] : [{ label: `p99 at ${rate} commands/s`, value, unit: 'ms' }];
  });
  const queries: Bar[] = [
    ['host view, 100k hosts', 'host_view_p99_ms_100k_hosts'],
    ['patch roll-up, 100k hosts', 'rollup_p99_ms_100k_hosts'],
    ['audit timeline, 10M records', 'audit_timeline_p99_ms_10m'],
  ].flatMap(([label, key]) => {
    const value = numeric(results, key);
    return value === undefined ? [] : [{ label: `${label} (p99)`, value, unit: 'ms' }];
  });
  const lines: string[] = [];
  let top = 50;
  for (const [title, items] of [
    ['Throughput (blue) against the raw limit measured in the same run (grey)', throughput],
    ['End to end: POST /v1/commands?wait=true, open loop', latency],
    ['Queries over HTTP', queries],
  ] as const) {
    if (items.length === 0) continue;
    lines.push(...bars(title, items, top));
    top += 30 + items.length * 34;
  }
  const header = `klp-fleet benchmarks — ${escape(String(results.machine ?? ''))}, ${escape(String(results.date ?? ''))} (${escape(String(results.mode ?? ''))})`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="720" height="${top + 10}" font-family="sans-serif">`,
    '<rect width="100%" height="100%" fill="white"/>',
    `<text x="20" y="24" font-size="14">${header}</text>`,
    ...lines.filter((line) => line !== ''),
    '</svg>',
    '',
  ].join('\n');
}
