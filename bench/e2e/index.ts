/**
 * The end-to-end latency benchmark (issue 8): `POST /v1/commands?wait=true` against the real
 * stack (api → Kafka → decider → Kafka → projector → Postgres → NOTIFY → api), driven open loop
 * at fixed rates, beside the same schedule against `GET /health/live` of the same api process
 * (HTTP + Node, no Kafka, no Postgres). `bench/e2e/main.ts` runs it alone; bench/run.ts as `--only e2e`.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createKafka, topicNames } from '@klp/kafka';
import { type Row, summarize } from '../report';
import { CommandStream, type PlannedCommand } from './commands';
import { type LatencyStats, latencyStats, OpenLoopClient, type Outcome, type Request } from './open-loop';
import { type BenchStack, startBenchStack } from './stack';
import { Tracer } from './trace';

export interface EndToEndOptions {
  quick: boolean;
  runs: number;
  brokers: string[];
  /** A Postgres server URL (any database); the benchmark creates and drops its own database there. */
  serverUrl: string;
  /** Hosts of the workload (default 5,000). */
  hosts?: number;
  /** For development: only the prefill and one traced phase at this rate. */
  diagnose?: { rate: number; seconds: number };
}

export interface EndToEndResult {
  results: Record<string, number>;
  rows: Row[];
  context: string;
  series: Array<{ rate: number; p50: number; p95: number; p99: number }>;
  /** The latency split along the pipeline at 200 commands/s, as a Markdown table. */
  breakdown: string;
}

export const FIXED_RATES = [50, 200, 1000] as const;
/** The rates the search climbs (or descends) for the highest one whose p99 stays under 100 ms. */
export const SEARCH_LADDER = [25, 50, 100, 150, 200, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000];
const RAW_LADDER = [1000, 2000, 3000, 4000];
const P99_LIMIT_MS = 100;
const DEFAULT_HOSTS = { quick: 2000, full: 5000 };
/** `timeoutMs` of every wait: an answer later than this is a 504, counted as a timeout. */
const WAIT_TIMEOUT_MS = 5000;

const log = (line: string) => process.stderr.write(`  e2e: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : String(value));

interface E2ePhase {
  stats: LatencyStats;
  /** Rejections the domain did not expect, or acceptances it did not: requests for a host overtook each other. */
  unexpected: number;
}

export async function runEndToEndWorkload(options: EndToEndOptions): Promise<EndToEndResult> {
  const seconds = options.quick ? 10 : 30;
  const warmupSeconds = options.quick ? 3 : 10;
  const stepSeconds = options.quick ? 4 : 10;
  const traceSeconds = options.quick ? 5 : 15;
  const runs = options.quick ? 1 : Math.max(1, options.runs);

  log(`starting decider, projector and api on fresh topics (12 partitions) and a fresh database`);
  const began = performance.now();
  const stack = await startBenchStack({ brokers: options.brokers, serverUrl: options.serverUrl });
  const client = new OpenLoopClient(stack.baseUrl, WAIT_TIMEOUT_MS + 3000);
  try {
    log(`stack ready in ${((performance.now() - began) / 1000).toFixed(1)} s at ${stack.baseUrl}`);
    const stream = new CommandStream(
      options.hosts ?? DEFAULT_HOSTS[options.quick ? 'quick' : 'full'],
      1,
      stack.topicPrefix.replace(/[^A-Za-z0-9]/g, ''),
      stack.hostPrefix,
    );
    await prefill(stack, stream);
    if (options.diagnose) {
      const kafka = createKafka({ brokers: stack.brokers, clientId: 'bench-e2e-trace', logLevel: 'nothing' });
      const tracer = new Tracer(kafka, stack.topicPrefix, stack.databaseUrl);
      try {
        await tracer.start();
        const traced = await runE2e(
          client,
          stack,
          stream,
          options.diagnose.rate,
          options.diagnose.seconds,
          tracer,
        );
        log(
          `latency breakdown at ${options.diagnose.rate} commands/s:\n${formatBreakdown(tracer, traced.stats)}`,
        );
      } finally {
        await tracer.stop();
      }
      return { results: {}, rows: [], context: '', series: [], breakdown: '' };
    }

    const e2e = (rate: number, secondsAt: number, tracer?: Tracer) =>
      runE2e(client, stack, stream, rate, secondsAt, tracer, options.quick ? 60_000 : 180_000);
    const raw = async (rate: number, secondsAt: number) => {
      const requests: Request[] = Array.from({ length: Math.round(rate * secondsAt) }, () => ({
        method: 'GET',
        path: '/health/live',
      }));
      const cpuBefore = stack.cpu().api;
      const began = performance.now();
      const stats = latencyStats(await client.phase(rate, requests));
      const apiCpu = (stack.cpu().api - cpuBefore) / ((performance.now() - began) / 1000);
      log(
        describe(`raw GET /health/live at ${rate}/s`, stats) +
          `; api CPU ${Math.round(apiCpu * 100)}% of a core`,
      );
      await sleep(500);
      return stats;
    };

    log(`warm-up: ${warmupSeconds} s at 100 commands/s`);
    await e2e(100, warmupSeconds);
    await raw(200, 2);

    const fixed = new Map<number, { e2e: E2ePhase[]; raw: LatencyStats[] }>(
      FIXED_RATES.map((rate) => [rate, { e2e: [], raw: [] }]),
    );
    for (let run = 1; run <= runs; run++) {
      for (const rate of FIXED_RATES) {
        log(
          `run ${run}/${runs}: ${rate} commands/s for ${seconds} s, then the same schedule on /health/live`,
        );
        fixed.get(rate)!.e2e.push(await e2e(rate, seconds));
        fixed.get(rate)!.raw.push(await raw(rate, seconds));
      }
    }

    log(
      `traced: 200 commands/s for ${traceSeconds} s with outside observers on klp.commands, klp.events and klp_settled`,
    );
    const kafka = createKafka({ brokers: stack.brokers, clientId: 'bench-e2e-trace', logLevel: 'nothing' });
    const tracer = new Tracer(kafka, stack.topicPrefix, stack.databaseUrl);
    let breakdown: string;
    try {
      await tracer.start();
      const traced = await e2e(200, traceSeconds, tracer);
      breakdown = formatBreakdown(tracer, traced.stats);
    } finally {
      await tracer.stop();
    }
    log(`latency breakdown at 200 commands/s:\n${breakdown}`);

    log(`search: the highest rate with p99 < ${P99_LIMIT_MS} ms and no errors (${stepSeconds} s per step)`);
    const passes = (phase: LatencyStats) => phase.p99 < P99_LIMIT_MS && phase.errors + phase.timeouts === 0;
    const searched = new Map<number, E2ePhase>();
    const maxRate = await stepSearch(SEARCH_LADDER, 100, async (rate) => {
      const phase = await e2e(rate, stepSeconds);
      searched.set(rate, phase);
      return passes(phase.stats);
    });
    log(`e2e: highest rate with p99 < ${P99_LIMIT_MS} ms: ${maxRate}/s`);
    const rawLadder = options.quick ? RAW_LADDER.slice(0, 2) : RAW_LADDER;
    const rawMaxRate = await stepSearch(rawLadder, rawLadder[0], async (rate) =>
      passes(await raw(rate, stepSeconds)),
    );
    log(
      `raw: highest rate with p99 < ${P99_LIMIT_MS} ms: ${rawMaxRate}/s${rawMaxRate === rawLadder[rawLadder.length - 1] ? ' (the top of the ladder)' : ''}`,
    );

    return report({
      fixed,
      searched,
      maxRate,
      rawMaxRate,
      breakdown,
      seconds,
      stepSeconds,
      runs,
      hosts: stream.hosts,
      plannedRefusals: stream.refusedShare,
    });
  } finally {
    client.close();
    log('stopping the stack, dropping the database, deleting the topics');
    await stack.stop();
  }
}

/**
 * Sends the stream's ramp (the slots before every host has started) in batches of 1,000 without
 * waiting (one batch after the other, so each host's commands keep their order), then waits until
 * the read model shows every outcome.
 */
async function prefill(stack: BenchStack, stream: CommandStream): Promise<void> {
  const total = stream.rampLength;
  const began = performance.now();
  for (let done = 0; done < total;) {
    const batch = stream.take(Math.min(1000, total - done));
    done += batch.length;
    const response = await fetch(`${stack.baseUrl}/v1/commands:batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ commands: batch.map((command) => command.body) }),
    });
    if (!response.ok) throw new Error(`prefill batch: HTTP ${response.status} ${await response.text()}`);
    const { results } = (await response.json()) as { results: Array<{ httpStatus: number }> };
    const refused = results.filter((result) => result.httpStatus !== 202);
    if (refused.length > 0)
      throw new Error(`prefill batch: ${refused.length} commands not taken (${JSON.stringify(refused[0])})`);
  }
  const sent = (performance.now() - began) / 1000;
  const database = new Client({ connectionString: stack.databaseUrl });
  await database.connect();
  try {
    for (;;) {
      const { rows } = await database.query<{ count: string }>(
        'SELECT count(*) AS count FROM klp.command_outcomes',
      );
      if (Number(rows[0].count) >= total) break;
      if (performance.now() - began > 600_000)
        throw new Error(`prefill: ${rows[0].count} of ${total} outcomes after 600 s`);
      await sleep(500);
    }
  } finally {
    await database.end();
  }
  const took = (performance.now() - began) / 1000;
  log(
    `prefill: ${total.toLocaleString('en-US')} commands over ${stream.hosts.toLocaleString('en-US')} hosts sent in ` +
      `${sent.toFixed(1)} s, settled in ${took.toFixed(1)} s (${Math.round(total / took)}/s)`,
  );
}

async function runE2e(
  client: OpenLoopClient,
  stack: BenchStack,
  stream: CommandStream,
  rate: number,
  seconds: number,
  tracer?: Tracer,
  settleCapMs = 60_000,
): Promise<E2ePhase> {
  const planned: PlannedCommand[] = stream.take(Math.round(rate * seconds));
  const requests: Request[] = planned.map((command) => ({
    method: 'POST',
    path: `/v1/commands?wait=true&timeoutMs=${WAIT_TIMEOUT_MS}`,
    headers: { authorization: `Bearer ${stack.tokens[command.role]}` },
    body: JSON.stringify(command.body),
  }));
  for (const command of planned) tracer?.expect(command.body.commandId);
  const onAnswer = tracer
    ? (index: number, outcome: Outcome) => tracer.client(planned[index].body.commandId, outcome)
    : undefined;
  const cpuBefore = stack.cpu();
  const began = performance.now();
  const result = await client.phase(rate, requests, onAnswer);
  const wall = (performance.now() - began) / 1000;
  const cpuAfter = stack.cpu();
  const cpu = Object.keys(cpuAfter)
    .map((app) => `${app} ${Math.round(((cpuAfter[app] - cpuBefore[app]) / wall) * 100)}%`)
    .join(', ');
  const stats = latencyStats(result);
  const unexpected = result.outcomes.filter(
    (outcome, index) =>
      (outcome.kind === 'accepted' || outcome.kind === 'rejected') &&
      outcome.kind !== planned[index].expected,
  ).length;
  log(
    describe(`POST /v1/commands?wait=true at ${rate}/s`, stats) +
      (unexpected ? `, ${unexpected} unexpected outcomes` : ''),
  );
  log(`  CPU of one core over the phase: ${cpu}; load average ${os.loadavg()[0].toFixed(1)}`);
  await settle(stack, settleCapMs);
  if (stats.errors > 0) {
    const other = Object.entries(stats.statuses).filter(([status]) => !/^(200|404|409|422)$/.test(status));
    log(`  errors: ${other.map(([status, count]) => `${status} ×${count}`).join(', ')}`);
  }
  return { stats, unexpected };
}

/**
 * Waits until the read model holds an outcome for every command on klp.commands (the backlog of an
 * overloaded phase drained), so that no phase is measured behind the previous one's queue. Gives up
 * after `capMs` and says so: the next phase's figures then carry that backlog.
 */
async function settle(stack: BenchStack, capMs: number): Promise<void> {
  const kafka = createKafka({ brokers: stack.brokers, clientId: 'bench-e2e-settle', logLevel: 'nothing' });
  const admin = kafka.admin();
  const database = new Client({ connectionString: stack.databaseUrl });
  await Promise.all([admin.connect(), database.connect()]);
  try {
    const began = performance.now();
    for (;;) {
      const offsets = await admin.fetchTopicOffsets(topicNames(stack.topicPrefix).commands);
      const sent = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
      const { rows } = await database.query<{ count: string }>(
        'SELECT count(*) AS count FROM klp.command_outcomes',
      );
      const settled = Number(rows[0].count);
      if (settled >= sent) return;
      if (performance.now() - began > capMs) {
        log(`  backlog not drained after ${capMs / 1000} s: ${sent - settled} commands without an outcome`);
        return;
      }
      await sleep(500);
    }
  } finally {
    await Promise.all([admin.disconnect(), database.end()]);
  }
}

function describe(what: string, stats: LatencyStats): string {
  return (
    `${what}: p50 ${ms(stats.p50)} ms, p95 ${ms(stats.p95)} ms, p99 ${ms(stats.p99)} ms, max ${ms(stats.max)} ms; ` +
    `${stats.requests} requests (${stats.accepted} 2xx, ${stats.rejected} refused by the domain, ` +
    `${stats.errors} errors, ${stats.timeouts} timeouts); generator lag p99 ${ms(stats.sendLagP99)} ms`
  );
}

/**
 * Walks the ladder from `start`: up while `passes`, else down until one passes. Answers the highest
 * passing rate seen (0 when none does).
 */
async function stepSearch(
  ladder: readonly number[],
  start: number,
  passes: (rate: number) => Promise<boolean>,
): Promise<number> {
  let index = ladder.indexOf(start);
  if (await passes(ladder[index])) {
    let best = ladder[index];
    while (++index < ladder.length) {
      if (!(await passes(ladder[index]))) break;
      best = ladder[index];
    }
    return best;
  }
  while (--index >= 0) if (await passes(ladder[index])) return ladder[index];
  return 0;
}

function formatBreakdown(tracer: Tracer, stats: LatencyStats): string {
  const { complete, traced, segments } = tracer.segments();
  return [
    `${complete} of ${traced} traced commands seen at every stage (p99 of the phase ${ms(stats.p99)} ms). ` +
      `Segments are measured one by one: their p99s do not add up to the total's.`,
    '',
    '| segment | p50 ms | p99 ms | mean ms |',
    '| --- | ---: | ---: | ---: |',
    ...segments.map(
      (segment) => `| ${segment.name} | ${ms(segment.p50)} | ${ms(segment.p99)} | ${ms(segment.mean)} |`,
    ),
  ].join('\n');
}

function report(input: {
  fixed: Map<number, { e2e: E2ePhase[]; raw: LatencyStats[] }>;
  searched: Map<number, E2ePhase>;
  maxRate: number;
  rawMaxRate: number;
  breakdown: string;
  seconds: number;
  stepSeconds: number;
  runs: number;
  hosts: number;
  plannedRefusals: number;
}): EndToEndResult {
  const { fixed, searched, maxRate, rawMaxRate, breakdown } = input;
  const rows: Row[] = [];
  const median = (rate: number, pick: (stats: LatencyStats) => number, which: 'e2e' | 'raw') => {
    const phases = fixed.get(rate)!;
    return summarize(which === 'e2e' ? phases.e2e.map((phase) => pick(phase.stats)) : phases.raw.map(pick));
  };
  for (const rate of FIXED_RATES) {
    const rawP50 = median(rate, (stats) => stats.p50, 'raw');
    const rawP99 = median(rate, (stats) => stats.p99, 'raw');
    rows.push(
      { workload: `raw: GET /health/live, open loop at ${rate}/s, p50`, unit: 'ms', summary: rawP50 },
      { workload: `raw: GET /health/live, open loop at ${rate}/s, p99`, unit: 'ms', summary: rawP99 },
      {
        workload: `end to end: POST /v1/commands?wait=true at ${rate}/s, p50`,
        unit: 'ms',
        summary: median(rate, (stats) => stats.p50, 'e2e'),
        limit: rawP50,
      },
      {
        workload: `end to end at ${rate}/s, p95`,
        unit: 'ms',
        summary: median(rate, (stats) => stats.p95, 'e2e'),
      },
      {
        workload: `end to end at ${rate}/s, p99`,
        unit: 'ms',
        summary: median(rate, (stats) => stats.p99, 'e2e'),
        limit: rawP99,
      },
      {
        workload: `end to end at ${rate}/s: errors + timeouts (non-2xx other than the domain's refusals)`,
        unit: 'requests',
        summary: median(rate, (stats) => stats.errors + stats.timeouts, 'e2e'),
      },
    );
  }
  const rawMax = summarize([rawMaxRate]);
  const e2eMaxLimit = rawMaxRate > 0 ? rawMax : undefined;
  rows.push(
    {
      workload: `raw: highest rate with p99 < ${P99_LIMIT_MS} ms on /health/live`,
      unit: 'requests/s',
      summary: rawMax,
    },
    {
      workload: `end to end: highest rate with p99 < ${P99_LIMIT_MS} ms and no errors`,
      unit: 'commands/s',
      summary: summarize([maxRate]),
      limit: e2eMaxLimit,
    },
  );

  const seriesByRate = new Map<number, { rate: number; p50: number; p95: number; p99: number }>();
  for (const [rate, phase] of searched)
    seriesByRate.set(rate, { rate, p50: phase.stats.p50, p95: phase.stats.p95, p99: phase.stats.p99 });
  for (const rate of FIXED_RATES) {
    seriesByRate.set(rate, {
      rate,
      p50: median(rate, (stats) => stats.p50, 'e2e').median,
      p95: median(rate, (stats) => stats.p95, 'e2e').median,
      p99: median(rate, (stats) => stats.p99, 'e2e').median,
    });
  }
  const series = [...seriesByRate.values()].sort((a, b) => a.rate - b.rate);

  const errorsAt = FIXED_RATES.map((rate) => {
    const phases = fixed.get(rate)!.e2e;
    const errors = phases.reduce((sum, phase) => sum + phase.stats.errors, 0);
    const timeouts = phases.reduce((sum, phase) => sum + phase.stats.timeouts, 0);
    const unexpected = phases.reduce((sum, phase) => sum + phase.unexpected, 0);
    return `${errors} errors, ${timeouts} timeouts, ${unexpected} unexpected outcomes at ${rate}/s`;
  });
  const refusedShare = input.plannedRefusals;
  const context =
    `open loop (send times fixed up front, evenly spaced; latency from the scheduled time) over ` +
    `${input.hosts.toLocaleString('en-US')} hosts of bench/workload.ts's operations mix (${Math.round(refusedShare * 100)}% of the commands are ` +
    `refused by the domain with 404/409/422 by design), operator and agent tokens, 12 partitions, real decider, ` +
    `projector and api processes; ${input.seconds} s per rate, search steps of ${input.stepSeconds} s; ` +
    `the raw limit is the same schedule on GET /health/live of the same api (ratio: end to end / raw); ` +
    `${errorsAt.join('; ')}`;

  const at = (rate: number, pick: (stats: LatencyStats) => number) =>
    Math.round(median(rate, pick, 'e2e').median * 10) / 10;
  const results: Record<string, number> = {
    e2e_p50_ms_at_200: at(200, (stats) => stats.p50),
    e2e_p99_ms_at_200: at(200, (stats) => stats.p99),
    e2e_p99_ms_at_50: at(50, (stats) => stats.p99),
    e2e_p99_ms_at_1000: at(1000, (stats) => stats.p99),
    max_rate_p99_under_100ms: maxRate,
  };
  return { results, rows, context, series, breakdown };
}

export const machine = () =>
  `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.cpus()[0]?.model ?? 'cpu'}`;
