import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createKafka, topicNames } from '@klp/kafka';
import { migrate } from '@klp/store';
import { migrations } from '../../migrations';
import { startApp, stopProcess } from '../e2e/stack';
import { FaultStack, type UnexpectedExit } from './fault-stack';
import { FAULT_KINDS, type FaultKind, type FaultRecord, planFaults, runFaults } from './faults';
import { brokerUp, brokerWipe, faultBrokers, postgresDrop, postgresUp } from './infra';
import { runLoad } from './load';
import {
  brokenAuditChains,
  checkEvents,
  checksums,
  drain,
  readModel,
  topicEnds,
  waitProjected,
} from './verify';

/** Where each run leaves its full report (every fault, probe and unexpected exit with its log lines). */
export const REPORT_DIR = path.resolve(__dirname, '../../.cache/faults');

export interface DriverOptions {
  seed: number;
  minutes?: number;
  targets?: readonly FaultKind[];
  commands?: number;
  hosts?: number;
  log?: (line: string) => void;
}

export interface DriverReport {
  seed: number;
  faults: FaultRecord[];
  faultsByKind: Record<string, number>;
  sent: number;
  accepted: number;
  refused: number;
  retries: Record<string, number>;
  missingOutcomes: string[];
  outcomeRows: number;
  events: Awaited<ReturnType<typeof checkEvents>>;
  dlqRecords: number;
  checksums: { live: Record<string, string>; fresh: Record<string, string> };
  audit: { hosts: number; broken: string[] };
  unexpectedExits: UnexpectedExit[];
  loadMs: number;
  totalMs: number;
}

/** Starts its own broker and Postgres, the apps, the load and the faults; checks; cleans everything up. */
export async function runFaultSuite(options: DriverOptions): Promise<DriverReport> {
  const log = options.log ?? ((line: string) => console.log(`[faults] ${line}`));
  const durationMs = (options.minutes ?? 2) * 60_000;
  const started = Date.now();
  const prefix = `faults-${Date.now().toString(36)}${randomBytes(2).toString('hex')}.`;
  // Below the kernel's ephemeral range (32768+): an outgoing connection can hold a port there.
  const stack = new FaultStack(prefix, 30_000 + Math.floor(Math.random() * 2_700));
  const admin = createKafka({
    brokers: faultBrokers(),
    clientId: 'faults-admin',
    logLevel: 'nothing',
  }).admin();
  // Interrupted (Ctrl-C, a CI timeout): leave no app, broker or cluster of ours behind.
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping the apps, the broker and the Postgres cluster`);
    void stack
      .stop()
      .then(() => Promise.all([brokerWipe(), postgresDrop()]))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await Promise.all([postgresUp(), brokerUp()]);
    await stack.setUp();
    const plan = planFaults(options.seed, options.targets ?? FAULT_KINDS, durationMs);
    log(`seed ${options.seed}: ${plan.map((f) => `${f.kind}@${f.atMs}ms/${f.downMs}ms`).join(' ')}`);
    const t0 = Date.now();
    const [load, faults] = await Promise.all([
      runLoad({
        baseUrl: stack.baseUrl,
        token: stack.token,
        seed: options.seed,
        commands: options.commands ?? 20_000,
        hosts: options.hosts ?? 500,
        durationMs,
        log,
      }),
      runFaults(stack, plan, t0, options.seed),
    ]);
    const loadMs = Date.now() - t0;
    const accepted = new Set([...load.accepted, ...faults.flatMap((fault) => fault.probes.accepted)]);
    log(`load done in ${loadMs} ms: ${load.sent} sent, ${accepted.size} accepted; draining`);

    const live = readModel(stack.databaseUrl, 'klp');
    const missingOutcomes = await drain(live, accepted, 240_000);
    await admin.connect();
    await waitProjected(live, admin, prefix, 120_000).catch((error: Error) => log(error.message));
    const counted = await live.query<{ n: string }>('SELECT count(*) AS n FROM command_outcomes');
    const outcomeRows = Number(counted.rows[0].n);
    const dlqRecords = (await topicEnds(admin, topicNames(prefix).dlq)).reduce(
      (n, p) => n + Number(p.high),
      0,
    );
    await stack.stop();

    log('reading klp.events, projecting afresh into schema "fresh"');
    const events = await checkEvents(prefix, accepted);
    await migrate({ url: stack.databaseUrl, schema: 'fresh', migrations });
    const freshLog: string[] = [];
    const reference = startApp(
      'projector',
      { ...stack.env, KLP_DB_SCHEMA: 'fresh', KLP_PROJECTOR_GROUP: 'fresh-reference' },
      (line) => freshLog.push(line),
    );
    const fresh = readModel(stack.databaseUrl, 'fresh');
    try {
      await waitProjected(fresh, admin, prefix, 180_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${freshLog.slice(-20).join('\n')}`);
      });
    } finally {
      await stopProcess(reference);
    }
    const report: DriverReport = {
      seed: options.seed,
      faults,
      faultsByKind: faults.reduce<Record<string, number>>(
        (n, f) => ({ ...n, [f.kind]: (n[f.kind] ?? 0) + 1 }),
        {},
      ),
      sent: load.sent,
      accepted: accepted.size,
      refused: load.refused,
      retries: load.retries,
      missingOutcomes,
      outcomeRows,
      events,
      dlqRecords,
      checksums: { live: await checksums(live), fresh: await checksums(fresh) },
      audit: await brokenAuditChains(live),
      unexpectedExits: stack.unexpectedExits,
      loadMs,
      totalMs: Date.now() - started,
    };
    await Promise.all([live.end(), fresh.end()]);
    mkdirSync(REPORT_DIR, { recursive: true });
    writeFileSync(path.join(REPORT_DIR, `report-${options.seed}.json`), JSON.stringify(report, null, 1));
    return report;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stack.stop();
    await admin.disconnect().catch(() => undefined);
    await Promise.all([brokerWipe(), postgresDrop()]);
  }
}

/** What the report says went wrong; empty when every property held. */
export function failures(report: DriverReport): string[] {
  const problems: string[] = [];
  const first = (items: readonly string[]) => items.slice(0, 5).join('; ');
  if (report.missingOutcomes.length) problems.push(`no outcome: ${first(report.missingOutcomes)}`);
  if (report.events.duplicated.length) problems.push(`duplicated events: ${first(report.events.duplicated)}`);
  if (report.events.versionGaps.length) problems.push(`version gaps: ${first(report.events.versionGaps)}`);
  if (report.events.withoutOneEvent.length)
    problems.push(`not exactly one event: ${first(report.events.withoutOneEvent)}`);
  for (const [table, sum] of Object.entries(report.checksums.live))
    if (report.checksums.fresh[table] !== sum) problems.push(`${table} differs from a fresh projection`);
  if (report.audit.broken.length) problems.push(`broken audit chains: ${first(report.audit.broken)}`);
  for (const fault of report.faults) {
    const at = `${fault.kind}@${fault.startedMs}ms`;
    if (fault.recoveredMs === null) problems.push(`${at}: the api was not ready again within 120 s`);
    if (fault.probes.readyWrong.length)
      problems.push(`${at}: /health/ready said ${first(fault.probes.readyWrong)}`);
    if (fault.probes.worstReadyMs >= 2000)
      problems.push(`${at}: /health/ready took ${fault.probes.worstReadyMs} ms`);
    // Without wait, a command needs Kafka only: while Postgres is down the api may still take it (202).
    const allowed = fault.kind === 'postgres' ? ['503', '202'] : ['503'];
    const not503 = Object.keys(fault.probes.postStatuses).filter((status) => !allowed.includes(status));
    if (not503.length)
      problems.push(`${at}: command POSTs answered ${JSON.stringify(fault.probes.postStatuses)}`);
    if (fault.probes.worstPostMs >= 6000)
      problems.push(`${at}: a command POST took ${fault.probes.worstPostMs} ms`);
  }
  for (const exit of report.unexpectedExits)
    problems.push(`${exit.app} exited by itself (${exit.code ?? exit.signal}) at ${exit.atMs} ms`);
  return problems;
}

function summary(report: DriverReport): string {
  const { faults, checksums: _sums, events, unexpectedExits, ...counts } = report;
  return JSON.stringify(
    {
      ...counts,
      missingOutcomes: counts.missingOutcomes.length,
      events: { count: events.events, duplicated: events.duplicated.length, gaps: events.versionGaps.length },
      faults: faults.map((f) => ({
        kind: f.kind,
        at: f.startedMs,
        down: f.downMs,
        recoveredMs: f.recoveredMs,
        ready: `${f.probes.ready}×, worst ${f.probes.worstReadyMs} ms`,
        posts: `${JSON.stringify(f.probes.postStatuses)}, worst ${f.probes.worstPostMs} ms`,
      })),
      unexpectedExits: unexpectedExits.map((e) => ({
        ...e,
        // The apps' own fatal lines too: a thread's death is logged as JSON, with no stack trace.
        lastLines: e.lastLines
          .filter((line) => /Error|Emitted 'error'|node:events|"level":"fatal"/.test(line))
          .slice(0, 8),
      })),
    },
    null,
    1,
  );
}

export { summary };

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : undefined;
  };
  const options: DriverOptions = {
    seed: Number(arg('seed') ?? Date.now() % 1_000_000),
    minutes: arg('minutes') ? Number(arg('minutes')) : undefined,
    targets: arg('targets')?.split(',') as FaultKind[] | undefined,
    commands: arg('commands') ? Number(arg('commands')) : undefined,
    hosts: arg('hosts') ? Number(arg('hosts')) : undefined,
  };
  runFaultSuite(options).then(
    (report) => {
      console.log(summary(report));
      const problems = failures(report);
      for (const problem of problems) console.error(`✘ ${problem}`);
      process.exit(problems.length ? 1 : 0);
    },
    (error: Error) => {
      console.error(error.stack);
      process.exit(2);
    },
  );
}
