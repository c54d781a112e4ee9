/**
 * `npm run bench [-- --quick] [--runs N] [--only decider|projector]`: starts what it needs (the
 * local broker), runs each workload beside its raw limit in the same run, and writes
 * bench/results.json (one number per key) and bench/out/<workload>.md. Quote medians and ratios
 * from one run: the machine is shared and noisy.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createKafka } from '@klp/kafka';
import { measureThroughput } from './decider.bench';
import { measureProjector } from './projector.bench';
import { type Row, formatTable, summarize } from './report';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBroker } = require('../tools/kafka/broker') as {
  ensureBroker: () => Promise<{ brokers: string[]; startedByUs: boolean; stop: () => Promise<void> }>;
};

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const runs = Number(argument('--runs') ?? (quick ? 1 : 3));
const only = argument('--only');
const seconds = quick ? 15 : 60;
const serverUrl = process.env.KLP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;
const command = `npm run bench --${quick ? ' --quick' : ''}${only ? ` --only ${only}` : ''}`.replace(
  / --$/,
  '',
);

type Results = Record<string, number | string>;

async function deciderWorkload(kafka: ReturnType<typeof createKafka>, brokers: string[]): Promise<Results> {
  const records = quick ? 200_000 : 1_500_000;
  const decider: number[] = [];
  const raw: number[] = [];
  for (let run = 1; run <= runs; run++) {
    process.stderr.write(
      `▶ decider run ${run}/${runs}: the decider, then raw kafkajs transactions (${seconds} s each)\n`,
    );
    const options = { records, seconds, seed: run, hosts: 1000 };
    decider.push((await measureThroughput(kafka, brokers, 'decider', options)).rate);
    raw.push((await measureThroughput(kafka, brokers, 'raw', options)).rate);
  }
  const rawSummary = summarize(raw);
  const rows: Row[] = [
    {
      workload: 'raw kafkajs transactional consume→produce, one record out per record in',
      unit: 'records/s',
      summary: rawSummary,
    },
    {
      workload: 'decider: decide, events, audit records, snapshots, one transaction per batch',
      unit: 'commands/s',
      summary: summarize(decider),
      limit: rawSummary,
    },
  ];
  write(
    'decider',
    rows,
    `backlog of ${records.toLocaleString('en-US')} commands over 1,000 hosts, 12 partitions`,
  );
  return {
    raw_kafka_txn_records_per_s: Math.round(rawSummary.median),
    decider_commands_per_s: Math.round(summarize(decider).median),
  };
}

async function projectorWorkload(kafka: ReturnType<typeof createKafka>, brokers: string[]): Promise<Results> {
  const commands = quick ? 60_000 : 400_000;
  const runsOf = await (async () => {
    const out = [];
    for (let run = 1; run <= runs; run++) {
      process.stderr.write(
        `▶ projector run ${run}/${runs}: decide ${commands} commands, then project them (${seconds} s)\n`,
      );
      out.push(
        await measureProjector(kafka, brokers, serverUrl, { commands, seconds, seed: run, hosts: 1000 }),
      );
    }
    return out;
  })();
  const copy = summarize(runsOf.map((run) => run.copyRowsPerSecond));
  const projectorRows = summarize(runsOf.map((run) => run.projectorRowsPerSecond));
  const events = summarize(runsOf.map((run) => run.eventsPerSecond));
  const auditPerEvent = runsOf[0].auditPerEvent;
  const rows: Row[] = [
    {
      workload: 'raw Postgres COPY of the same event_log + audit_log rows into indexed tables',
      unit: 'rows/s',
      summary: copy,
    },
    {
      workload: 'projector: event_log + audit_log + view tables + offsets, one transaction per batch',
      unit: 'log rows/s',
      summary: projectorRows,
      limit: copy,
    },
    {
      workload: `projector, counted in events (${auditPerEvent.toFixed(1)} audit records per event)`,
      unit: 'events/s',
      summary: events,
    },
  ];
  write(
    'projector',
    rows,
    `${commands.toLocaleString('en-US')} commands decided by the real decider, 1,000 hosts, 12 partitions`,
  );
  return {
    raw_pg_copy_rows_per_s: Math.round(copy.median),
    projector_events_per_s: Math.round(events.median),
  };
}

function write(name: string, rows: Row[], workload: string): void {
  const table = formatTable(rows, { runs, seconds, workload, machine, command });
  process.stdout.write(`\n${table}\n`);
  fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'out', `${name}.md`), `${table}\n`);
}

async function main(): Promise<void> {
  const broker = await ensureBroker();
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench', logLevel: 'nothing' });
  let results: Results = {};
  try {
    if (!only || only === 'decider')
      results = { ...results, ...(await deciderWorkload(kafka, broker.brokers)) };
    if (!only || only === 'projector')
      results = { ...results, ...(await projectorWorkload(kafka, broker.brokers)) };
  } finally {
    if (broker.startedByUs) await broker.stop();
  }
  const file = path.join(__dirname, 'results.json');
  const previous = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Results) : {};
  const merged = {
    ...previous,
    ...results,
    date: new Date().toISOString(),
    machine,
    mode: quick ? 'quick' : 'full',
  };
  fs.writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
