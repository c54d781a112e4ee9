/**
 * `npm run bench [-- --quick] [--runs N] [--only a,b]`: starts what it needs (the local broker),
 * runs each workload beside its raw limit in the same run, and writes bench/results.json (one number
 * per key), the tables into bench/README.md (between its `bench:<workload>` markers) and
 * bench/chart.svg. Workloads: decider, projector, e2e, queries, peer. Quote medians and ratios from
 * one run: the machine is shared and noisy.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import prettier from 'prettier';
import { createKafka } from '@klp/kafka';
import { renderChart } from './chart';
import { measureDeciderMemory } from './decider-memory';
import { measureThroughput } from './decider.bench';
import { runEndToEndWorkload } from './e2e';
import { runEmmettWorkload } from './peer';
import { decideBacklog, measureProjector, measureRebuild } from './projector.bench';
import { runQueryWorkload } from './queries';
import { type Row, formatTable, summarize } from './report';
import { replaceSection } from './readme-sections';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ensureBroker } = require('../tools/kafka/broker') as {
  ensureBroker: () => Promise<{ brokers: string[]; startedByUs: boolean; stop: () => Promise<void> }>;
};

const WORKLOADS = ['decider', 'projector', 'e2e', 'queries', 'peer'] as const;
type Workload = (typeof WORKLOADS)[number];

const argument = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const quick = process.argv.includes('--quick');
const runs = Number(argument('--runs') ?? (quick ? 1 : 3));
const only = argument('--only')?.split(',') as Workload[] | undefined;
const unknown = only?.filter((name) => !WORKLOADS.includes(name));
if (unknown?.length)
  throw new Error(`unknown workload(s) ${unknown.join(', ')}: pick from ${WORKLOADS.join(', ')}`);
const selected = (name: Workload) => !only || only.includes(name);
/** The projector's rate beside COPY only: no synchronous_commit=on runs, no rebuilds. */
const projectorRateOnly = process.argv.includes('--projector-rate-only');
const seconds = quick ? 15 : 60;
const serverUrl = process.env.KLP_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const machine = `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;
const command =
  `npm run bench --${quick ? ' --quick' : ''}${only ? ` --only ${only.join(',')}` : ''}`.replace(/ --$/, '');
const readme = path.join(__dirname, 'README.md');
const resultsFile = path.join(__dirname, 'results.json');
const chartFile = path.join(__dirname, 'chart.svg');

type Results = Record<string, number | string>;
type Kafka = ReturnType<typeof createKafka>;

const banner = (line: string) => process.stderr.write(`\n▶ ${line}\n`);

/** Prints the tables, and writes them into bench/README.md in the repository's prettier style. */
async function write(name: Workload, tables: string[]): Promise<void> {
  const text = tables.join('\n\n');
  process.stdout.write(`\n${text}\n`);
  fs.mkdirSync(path.join(__dirname, 'out'), { recursive: true });
  fs.writeFileSync(path.join(__dirname, 'out', `${name}.md`), `${text}\n`);
  const updated = replaceSection(fs.readFileSync(readme, 'utf8'), name, text);
  const style = (await prettier.resolveConfig(readme)) ?? {};
  fs.writeFileSync(readme, await prettier.format(updated, { ...style, filepath: readme }));
}

const table = (rows: Row[], workload: string, tableRuns = runs, tableSeconds = seconds) =>
  formatTable(rows, { runs: tableRuns, seconds: tableSeconds, workload, machine, command });

/** bench/decider-heap.ts in a process of its own (it needs --expose-gc and a clean heap). */
function heapPerHost(hosts: number, commandsPerHost: number): { bytesPerHost: number; heapMb: number } {
  banner(`decider heap: ${hosts.toLocaleString('en-US')} hosts × ${commandsPerHost} commands, in process`);
  const script = path.join(__dirname, 'decider-heap.ts');
  const register = path.join(__dirname, '../tools/register.js');
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '-r', register, script, String(hosts), String(commandsPerHost)],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`decider-heap failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop() ?? '') as { bytesPerHost: number; heapMb: number };
}

async function deciderWorkload(kafka: Kafka, brokers: string[]): Promise<Results> {
  const records = quick ? 200_000 : 1_500_000;
  const decider: number[] = [];
  const raw: number[] = [];
  for (let run = 1; run <= runs; run++) {
    banner(`decider run ${run}/${runs}: the decider, then raw kafkajs transactions (${seconds} s each)`);
    const options = { records, seconds, seed: run, hosts: 1000 };
    decider.push((await measureThroughput(kafka, brokers, 'decider', options)).rate);
    raw.push((await measureThroughput(kafka, brokers, 'raw', options)).rate);
  }
  const memoryHosts = quick ? [10_000] : [10_000, 100_000];
  const memory = [];
  for (const hosts of memoryHosts) {
    banner(`decider memory: ${hosts.toLocaleString('en-US')} hosts`);
    memory.push(await measureDeciderMemory(kafka, brokers, { hosts, commandsPerHost: 6 }));
  }
  const heap = [
    { hosts: quick ? 10_000 : 100_000, commandsPerHost: 6 },
    { hosts: 10_000, commandsPerHost: 60 },
  ].map((shape) => ({ ...shape, ...heapPerHost(shape.hosts, shape.commandsPerHost) }));
  const rawSummary = summarize(raw);
  const deciderSummary = summarize(decider);
  const rows: Row[] = [
    {
      workload: 'raw kafkajs transactional consume→produce, one record out per record in',
      unit: 'records/s',
      summary: rawSummary,
    },
    {
      workload: 'decider: decide, events, audit records, snapshots, one transaction per batch',
      unit: 'commands/s',
      summary: deciderSummary,
      limit: rawSummary,
    },
  ];
  const memoryRows: Row[] = memory.map((run) => ({
    workload: `decider RSS holding ${run.hosts.toLocaleString('en-US')} hosts (${run.commandsPerHost} commands each)`,
    unit: 'MiB',
    summary: summarize([run.rssMb]),
  }));
  const heapRows: Row[] = heap.map((run) => ({
    workload: `decider heap per host, ${run.hosts.toLocaleString('en-US')} hosts × ${run.commandsPerHost} commands (after GC)`,
    unit: 'bytes/host',
    summary: summarize([run.bytesPerHost]),
  }));
  await write('decider', [
    table(rows, `backlog of ${records.toLocaleString('en-US')} commands over 1,000 hosts, 12 partitions`),
    table(
      [...memoryRows, ...heapRows],
      'RSS of the idle decider process once the hosts are decided (lowest of 6 samples); heap held per host by its partition state, in process',
      1,
      0,
    ),
  ]);
  const largest = memory[memory.length - 1];
  return {
    raw_kafka_txn_records_per_s: Math.round(rawSummary.median),
    decider_commands_per_s: Math.round(deciderSummary.median),
    decider_rss_mb_10k_hosts: Math.round(memory[0].rssMb),
    ...(largest.hosts === 100_000 ? { decider_rss_mb_100k_hosts: Math.round(largest.rssMb) } : {}),
    decider_heap_bytes_per_host: Math.round(heap[0].bytesPerHost),
  };
}

async function projectorWorkload(kafka: Kafka, brokers: string[]): Promise<Results> {
  const commands = Number(argument('--projector-commands') ?? (quick ? 100_000 : 1_000_000));
  banner(`projector: the real decider decides ${commands.toLocaleString('en-US')} commands first`);
  const backlog = await decideBacklog(kafka, brokers, { commands, seed: 1, hosts: 1000 });
  const projected = [];
  const flushed = [];
  const rebuilds = [];
  try {
    for (let run = 1; run <= runs; run++) {
      banner(`projector run ${run}/${runs}: project the backlog for ${seconds} s, then raw COPY`);
      projected.push(await measureProjector(backlog, brokers, serverUrl, { seconds }));
      if (projectorRateOnly) continue;
      banner(`projector run ${run}/${runs} again with synchronous_commit=on (before ADR 0008)`);
      flushed.push(
        await measureProjector(backlog, brokers, serverUrl, {
          seconds,
          synchronousCommit: 'on',
          copyLimit: false,
        }),
      );
    }
    for (let run = 1; run <= (projectorRateOnly ? 0 : runs); run++) {
      banner(`rebuild run ${run}/${runs}: npm run projections:rebuild of ${backlog.eventRecords} events`);
      rebuilds.push(await measureRebuild(backlog, brokers, serverUrl));
    }
  } finally {
    await backlog.drop();
  }
  const copy = summarize(projected.map((run) => run.copyRowsPerSecond));
  const projectorRows = summarize(projected.map((run) => run.projectorRowsPerSecond));
  const events = summarize(projected.map((run) => run.eventsPerSecond));
  const eventsFlushed = summarize(flushed.map((run) => run.eventsPerSecond));
  const rebuildSeconds = summarize(rebuilds.map((run) => run.seconds));
  // Log rows: every event and every audit record it made (a klp.audit offset holds several).
  const logRows = backlog.eventRecords + backlog.auditRecords;
  const rebuildRows = summarize(rebuilds.map((run) => logRows / run.seconds));
  const auditPerEvent = projected[0].auditPerEvent;
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
      workload: `projector, counted in events (${auditPerEvent.toFixed(1)} audit records per event); ratio: after/before ADR 0008`,
      unit: 'events/s',
      summary: events,
      limit: flushed.length ? eventsFlushed : undefined,
    },
    {
      workload: `projector, events/s over only the first ${seconds} s (klp.events still running ahead)`,
      unit: 'events/s',
      summary: summarize(projected.map((run) => run.eventsPerSecondFirstWindow)),
    },
    {
      workload: 'projector with synchronous_commit=on, as before ADR 0008',
      unit: 'events/s',
      summary: eventsFlushed,
    },
    {
      workload: `rebuild of ${backlog.eventRecords.toLocaleString('en-US')} events + ${backlog.auditRecords.toLocaleString('en-US')} audit records, to the swap`,
      unit: 's',
      summary: rebuildSeconds,
    },
    { workload: 'rebuild, counted in log rows', unit: 'rows/s', summary: rebuildRows, limit: copy },
  ].filter((row) => row.summary.runs > 0);
  await write('projector', [
    table(
      rows,
      `${commands.toLocaleString('en-US')} commands decided by the real decider, 1,000 hosts, 12 partitions; ` +
        'each projector run lasts until the backlog is drained (an event counts once both topics hold it), ' +
        `its rate measured from the end of a 5 s warm-up; the first-${seconds}-s row is the same run cut short`,
    ),
  ]);
  const perMillion = (rebuildSeconds.median * 1_000_000) / backlog.eventRecords;
  return {
    raw_pg_copy_rows_per_s: Math.round(copy.median),
    projector_events_per_s: Math.round(events.median),
    ...(rebuilds.length
      ? {
          [quick ? 'rebuild_1m_events_s_extrapolated' : 'rebuild_1m_events_s']:
            Math.round(perMillion * 10) / 10,
        }
      : {}),
  };
}

async function endToEndWorkload(brokers: string[]): Promise<Results> {
  banner('end to end: open-loop POST /v1/commands?wait=true at fixed rates');
  const result = await runEndToEndWorkload({ quick, runs, brokers, serverUrl });
  await write('e2e', [table(result.rows, result.context, runs, quick ? 10 : 30), result.breakdown]);
  return result.results;
}

async function queryWorkload(): Promise<Results> {
  banner('queries: load the data set, then 1,000 requests per query');
  const result = await runQueryWorkload({ quick, runs, serverUrl });
  await write('queries', [table(result.rows, result.context, runs, 0)]);
  return result.results;
}

async function peerWorkload(): Promise<Results> {
  banner("peer: the same decider and workload on Emmett's PostgreSQL event store");
  const result = await runEmmettWorkload({ quick, runs, serverUrl });
  await write('peer', [table(result.rows, result.context)]);
  return result.results;
}

async function main(): Promise<void> {
  const broker = await ensureBroker();
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench', logLevel: 'nothing' });
  const previous = fs.existsSync(resultsFile)
    ? (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results)
    : {};
  let results: Results = {};
  const save = () => {
    const merged = {
      ...previous,
      ...results,
      date: new Date().toISOString(),
      machine,
      mode: quick ? 'quick' : 'full',
    };
    fs.writeFileSync(resultsFile, `${JSON.stringify(merged, null, 2)}\n`);
  };
  try {
    // Each workload saves as it ends: a later one failing keeps the figures already measured.
    if (selected('decider')) results = { ...results, ...(await deciderWorkload(kafka, broker.brokers)) };
    save();
    if (selected('projector')) results = { ...results, ...(await projectorWorkload(kafka, broker.brokers)) };
    save();
    if (selected('e2e')) results = { ...results, ...(await endToEndWorkload(broker.brokers)) };
    save();
    if (selected('queries')) results = { ...results, ...(await queryWorkload()) };
    save();
    if (selected('peer')) results = { ...results, ...(await peerWorkload()) };
    save();
  } finally {
    if (broker.startedByUs) await broker.stop();
  }
  fs.writeFileSync(chartFile, renderChart(JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as Results));
  process.stderr.write(
    `\nwrote ${path.relative(process.cwd(), resultsFile)}, bench/README.md and bench/chart.svg\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
