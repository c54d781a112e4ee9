/**
 * The peer comparison (issue 8, item 6): our decider and workload on Emmett's PostgreSQL event
 * store, without and with an inline projection of the host view. Each measurement gets a fresh
 * scratch database, dropped afterwards whatever happens.
 */
import os from 'node:os';
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import { projections } from '@event-driven-io/emmett';
import pg from 'pg';
import { type CommandEnvelope, type HostState, decide, evolve, initialState, view } from '@klp/domain';
import { operationsWorkload } from '../workload';
import { type Row, summarize } from '../report';
import {
  HOSTS_COLLECTION,
  type HostStreamEvent,
  decideWith,
  handleHostCommand,
  hostViewProjection,
  streamOf,
  toStreamEvent,
} from './emmett-host';

export const HOSTS = 1000;
/**
 * Async workers, each owning the hosts whose index is congruent to it modulo the worker count, so
 * that each host's commands stay in order. 16 gave the most commands/s in the sweep recorded in
 * bench/peer/README.md (`--workers` overrides it).
 */
export const DEFAULT_WORKERS = 16;

export interface Measurement {
  commandsPerSecond: number;
  eventsPerSecond: number;
  /** Commands handled and events appended over the whole run, warm-up included. */
  commands: number;
  events: number;
  /** Events other than CommandRejected: those the inline projection handles. */
  accepted: number;
  errors: number;
  /** Hosts whose projected document was compared with `view` of the handler's state. */
  checkedViews?: number;
}

const scratchDatabases = new Set<{ serverUrl: string; name: string }>();

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function createScratch(serverUrl: string): Promise<{ serverUrl: string; name: string }> {
  const name = `klp_emmett_${process.pid}_${Date.now().toString(36)}`;
  const entry = { serverUrl, name };
  scratchDatabases.add(entry);
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  return entry;
}

async function dropScratch(entry: { serverUrl: string; name: string }): Promise<void> {
  await onServer(entry.serverUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${entry.name} WITH (FORCE)`),
  );
  scratchDatabases.delete(entry);
}

/** Drops every scratch database still there (for a signal handler); never throws. */
export async function dropScratchDatabases(): Promise<void> {
  for (const entry of [...scratchDatabases]) {
    await dropScratch(entry).catch((error: unknown) =>
      process.stderr.write(`  could not drop ${entry.name}: ${String(error)}\n`),
    );
  }
}

const hostIndex = (hostId: string) => Number(hostId.slice(hostId.lastIndexOf('-') + 1));

/**
 * Splits the one seeded, round-robin command stream into one queue per worker, lazily: a worker
 * that needs a command pulls the stream until its own queue has one.
 */
function dispatcher(commands: Iterator<CommandEnvelope>, workers: number) {
  const queues = Array.from({ length: workers }, () => [] as CommandEnvelope[]);
  const heads = new Array<number>(workers).fill(0);
  let done = false;
  return (worker: number): CommandEnvelope | undefined => {
    const queue = queues[worker];
    while (heads[worker] >= queue.length && !done) {
      const next = commands.next();
      if (next.done) done = true;
      else queues[hostIndex(next.value.hostId) % workers].push(next.value);
    }
    if (heads[worker] >= queue.length) return undefined;
    const command = queue[heads[worker]++];
    if (heads[worker] > 4096) {
      queue.splice(0, heads[worker]);
      heads[worker] = 0;
    }
    return command;
  };
}

/**
 * Ages the fleet before the clock starts: the first `perHost` commands of every host are decided in
 * memory and their events appended in batches, so that the timed commands read long streams, as
 * they would after months of operations. Returns the events appended.
 */
async function preloadHistory(
  store: PostgresEventStore,
  commands: Iterator<CommandEnvelope>,
  perHost: number,
  concurrency: number,
): Promise<number> {
  const states = new Map<string, HostState>();
  const history = new Map<string, HostStreamEvent[]>();
  for (let taken = 0; taken < perHost * HOSTS; taken++) {
    const next = commands.next();
    if (next.done) break;
    const command = next.value;
    const state = states.get(command.hostId) ?? initialState(command.hostId);
    const decision = decide(command, state);
    if (decision.outcome === 'duplicate') continue;
    states.set(
      command.hostId,
      decision.events.reduce((folded, event) => evolve(folded, event), state),
    );
    const events = history.get(command.hostId) ?? [];
    events.push(...decision.events.map(toStreamEvent));
    history.set(command.hostId, events);
  }
  const hosts = [...history];
  let appended = 0;
  const appender = async (limit = Infinity) => {
    for (let taken = 0; taken < limit && hosts.length > 0; taken++) {
      const [hostId, events] = hosts.shift()!;
      for (let from = 0; from < events.length; from += 500) {
        await store.appendToStream(streamOf(hostId), events.slice(from, from + 500));
      }
      appended += events.length;
    }
  };
  // The first append alone: it creates the projection's table, which concurrent first appends race on.
  await appender(1);
  await Promise.all(Array.from({ length: concurrency }, () => appender()));
  return appended;
}

/**
 * One measurement: `workers` async loops drive Emmett's CommandHandler for `seconds`; the rate is
 * taken from the counters between the end of the warm-up and the end.
 */
export async function measureEmmett(options: {
  serverUrl: string;
  seconds: number;
  warmupSeconds: number;
  seed: number;
  workers: number;
  poolSize: number;
  projection: boolean;
  /** Commands per host appended before the clock starts (default 0: every stream starts empty). */
  history?: number;
  /** `synchronous_commit = off` on the store's connections (our projector runs that way, ADR 0008). */
  asyncCommit?: boolean;
}): Promise<Measurement> {
  const scratch = await createScratch(options.serverUrl);
  const connectionString = databaseUrl(options.serverUrl, scratch.name);
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize,
    ...(options.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
  // An idle client cut off by the final DROP ... WITH (FORCE) must not crash the process.
  pool.on('error', () => undefined);
  let store: PostgresEventStore | undefined;
  try {
    store = getPostgreSQLEventStore(connectionString, {
      connectionOptions: { pooled: true, pool },
      projections: options.projection ? projections.inline([hostViewProjection]) : [],
    });
    await store.schema.migrate();

    const workload = operationsWorkload(HOSTS, options.seed);
    if (options.history) {
      const appended = await preloadHistory(store, workload, options.history, options.workers);
      process.stderr.write(
        `  preloaded ${appended} events of history (${options.history} commands per host)\n`,
      );
    }
    const next = dispatcher(workload, options.workers);
    const lastState = new Map<string, HostState>();
    let commands = 0;
    let events = 0;
    let accepted = 0;
    let errors = 0;
    let firstError: unknown;
    const started = performance.now();
    const deadline = started + options.seconds * 1000;
    let atWarmup: { commands: number; events: number; at: number } | undefined;
    const warmupTimer = setTimeout(() => {
      atWarmup = { commands, events, at: performance.now() };
    }, options.warmupSeconds * 1000);

    const eventStore = store;
    const handleNext = async (index: number): Promise<boolean> => {
      const command = next(index);
      if (!command) return false;
      try {
        const result = await handleHostCommand(eventStore, streamOf(command.hostId), decideWith(command));
        commands += 1;
        events += result.newEvents.length;
        accepted += result.newEvents.filter((event) => event.type !== 'CommandRejected').length;
        if (options.projection) lastState.set(command.hostId, result.newState);
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
      return true;
    };
    const worker = async (index: number) => {
      while (performance.now() < deadline && (await handleNext(index)));
    };
    // One command alone first: pongo creates the projection's table on first use, and concurrent
    // first uses race on CREATE TABLE IF NOT EXISTS (Emmett reports it as a version mismatch).
    await handleNext(0);
    await Promise.all(Array.from({ length: options.workers }, (_, index) => worker(index)));
    clearTimeout(warmupTimer);
    const ended = performance.now();
    if (firstError) {
      const text = firstError instanceof Error ? (firstError.stack ?? firstError.message) : 'non-Error';
      process.stderr.write(`  first error of ${errors}: ${text}\n`);
    }
    const from = atWarmup ?? { commands: 0, events: 0, at: started };
    const elapsed = (ended - from.at) / 1000;
    const measurement: Measurement = {
      commandsPerSecond: (commands - from.commands) / elapsed,
      eventsPerSecond: (events - from.events) / elapsed,
      commands,
      events,
      accepted,
      errors,
    };
    if (options.projection) measurement.checkedViews = await checkViews(pool, lastState);
    return measurement;
  } finally {
    await store?.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await dropScratch(scratch);
  }
}

/**
 * The projection must hold what our domain says: for up to 50 hosts, the projected document
 * (less pongo's and our bookkeeping fields) equals `view` of the state the handler ended with.
 */
async function checkViews(pool: pg.Pool, lastState: Map<string, HostState>): Promise<number> {
  let checked = 0;
  for (const [hostId, state] of [...lastState].slice(0, 50)) {
    const expected = view(state);
    if (expected === null) continue;
    const { rows } = await pool.query<{ data: Record<string, unknown> }>(
      `SELECT data FROM ${HOSTS_COLLECTION} WHERE _id = $1`,
      [streamOf(hostId)],
    );
    const document = rows[0]?.data;
    if (!document) throw new Error(`no projected view for ${hostId}`);
    const { _id: _ignoredId, _version: _ignoredVersion, _state: _ignoredState, ...projected } = document;
    if (JSON.stringify(sortKeys(projected)) !== JSON.stringify(sortKeys(expected))) {
      throw new Error(`projected view of ${hostId} differs from view(state)`);
    }
    checked += 1;
  }
  return checked;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => [key, sortKeys(field)]),
  );
}

export async function runEmmettWorkload(options: {
  quick: boolean;
  runs: number;
  serverUrl: string;
  workers?: number;
  poolSize?: number;
  asyncCommit?: boolean;
}): Promise<{ results: Record<string, number>; rows: Row[]; context: string }> {
  const seconds = options.quick ? 15 : 60;
  const warmupSeconds = options.quick ? 3 : 5;
  const workers = options.workers ?? DEFAULT_WORKERS;
  const poolSize = options.poolSize ?? workers;
  const plain: Measurement[] = [];
  const projected: Measurement[] = [];
  for (let run = 1; run <= options.runs; run++) {
    for (const projection of [false, true]) {
      process.stderr.write(
        `▶ emmett run ${run}/${options.runs}: ${projection ? 'with' : 'without'} the inline projection ` +
          `(${seconds} s, ${workers} workers, pool ${poolSize})\n`,
      );
      const measurement = await measureEmmett({
        serverUrl: options.serverUrl,
        seconds,
        warmupSeconds,
        seed: run,
        workers,
        poolSize,
        projection,
        asyncCommit: options.asyncCommit,
      });
      process.stderr.write(
        `  ${Math.round(measurement.commandsPerSecond)} commands/s, ${Math.round(measurement.eventsPerSecond)} events/s` +
          ` (${measurement.commands} commands, ${measurement.events} events of which ${measurement.accepted} accepted,` +
          ` ${measurement.errors} errors` +
          `${measurement.checkedViews === undefined ? '' : `, ${measurement.checkedViews} views checked`})\n`,
      );
      if (measurement.errors > 0) throw new Error(`${measurement.errors} commands failed`);
      (projection ? projected : plain).push(measurement);
    }
  }
  const of = (list: Measurement[], pick: (m: Measurement) => number) => summarize(list.map(pick));
  const rows: Row[] = [
    {
      workload: 'emmett CommandHandler: read stream, decide, append (expected version), no projection',
      unit: 'commands/s',
      summary: of(plain, (m) => m.commandsPerSecond),
    },
    {
      workload: 'same, counted in events appended',
      unit: 'events/s',
      summary: of(plain, (m) => m.eventsPerSecond),
    },
    {
      workload: 'emmett CommandHandler + inline pongo projection of the host view, same transaction',
      unit: 'commands/s',
      summary: of(projected, (m) => m.commandsPerSecond),
    },
    {
      workload: 'same, counted in events appended and projected inline',
      unit: 'events/s',
      summary: of(projected, (m) => m.eventsPerSecond),
    },
  ];
  const events = plain.reduce((sum, m) => sum + m.events, 0);
  const accepted = plain.reduce((sum, m) => sum + m.accepted, 0);
  const commands = plain.reduce((sum, m) => sum + m.commands, 0);
  const context =
    `${HOSTS.toLocaleString('en-US')} hosts, operationsWorkload(1000, seed = run), one stream per host; ` +
    `${workers} async workers owning disjoint hosts, pg pool max ${poolSize}, in one Node process; ` +
    `fresh database per measurement, rate after a ${warmupSeconds} s warm-up; ` +
    `${(events / Math.max(commands, 1)).toFixed(2)} events per command, ` +
    `${((accepted / Math.max(events, 1)) * 100).toFixed(0)}% of them accepted (projected), the rest CommandRejected; ` +
    `Postgres on the same ${os.cpus().length}-core machine, ` +
    `synchronous_commit ${options.asyncCommit ? 'off' : 'on'}`;
  return {
    results: {
      emmett_appends_per_s: Math.round(of(plain, (m) => m.commandsPerSecond).median),
      emmett_events_appended_per_s: Math.round(of(plain, (m) => m.eventsPerSecond).median),
      emmett_projection_events_per_s: Math.round(of(projected, (m) => m.eventsPerSecond).median),
      emmett_projection_commands_per_s: Math.round(of(projected, (m) => m.commandsPerSecond).median),
      emmett_workers: workers,
      emmett_pool_size: poolSize,
    },
    rows,
    context,
  };
}
