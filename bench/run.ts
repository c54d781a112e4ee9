/**
 * `npm run bench [-- --quick] [-- --runs N]`: starts what it needs (the local broker), runs each
 * workload and its raw limit side by side, alternating, and writes bench/results.json and the
 * tables of bench/README.md between its markers. Quote medians and ratios from one run: the
 * machine is shared and noisy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafka } from '@klp/kafka';
import { measureThroughput } from './decider.bench';
import { formatTable, summarize, type Summary } from './report';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBroker } = require('../tools/kafka/broker') as {
  ensureBroker: () => Promise<{ brokers: string[]; startedByUs: boolean; stop: () => Promise<void> }>;
};

const quick = process.argv.includes('--quick');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : quick ? 1 : 3;
const seconds = quick ? 15 : 60;
const records = quick ? 200_000 : 1_500_000;

async function main(): Promise<void> {
  const broker = await ensureBroker();
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench', logLevel: 'nothing' });
  const decider: number[] = [];
  const raw: number[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      process.stderr.write(
        `▶ run ${run}/${runs}: decider, then raw kafkajs transactions (${seconds} s each)\n`,
      );
      const options = { records, seconds, seed: run, hosts: 1000 };
      decider.push((await measureThroughput(kafka, broker.brokers, 'decider', options)).rate);
      raw.push((await measureThroughput(kafka, broker.brokers, 'raw', options)).rate);
    }
  } finally {
    if (broker.startedByUs) await broker.stop();
  }
  const summaries: Record<string, Summary> = {
    raw_kafka_txn_records_per_s: summarize(raw),
    decider_commands_per_s: summarize(decider),
  };
  const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;
  const resultsFile = path.join(__dirname, 'results.json');
  const previous = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as object)
    : {};
  const results = {
    ...previous,
    date: new Date().toISOString(),
    machine,
    mode: quick ? 'quick' : 'full',
    ...Object.fromEntries(
      Object.entries(summaries).map(([key, summary]) => [key, Math.round(summary.median)]),
    ),
  };
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  const table = formatTable(
    [
      {
        workload: 'raw kafkajs transactional consume→produce (1 record out per record in)',
        unit: 'records/s',
        summary: summaries.raw_kafka_txn_records_per_s,
      },
      {
        workload: 'decider (decide + events + audit + snapshots, one txn per batch)',
        unit: 'commands/s',
        summary: summaries.decider_commands_per_s,
        limit: summaries.raw_kafka_txn_records_per_s,
      },
    ],
    { runs, seconds, records, machine, command: `npm run bench${quick ? ' -- --quick' : ''}` },
  );
  process.stdout.write(`${table}\n`);
  fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'out', 'decider.md'), `${table}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
