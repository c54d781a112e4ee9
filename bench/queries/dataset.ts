import { Worker } from 'node:worker_threads';
import path from 'node:path';
import type { Client } from 'pg';
import type { AttributeChange, CommandEnvelope, HostEvent } from '@klp/contracts';
import { auditChanges, decide, evolve, initialState, view } from '@klp/domain';
import { hostRows, projectEvent, unknownHost, type ProjectedHost } from '@klp/store';
import {
  HOSTS,
  HOST_FUNCS,
  HOST_OBJECTS,
  HOST_PATCHES,
  type Column,
  type Row,
  type TableSpec,
} from '../../libs/store/src/projection/tables';
import { operationsWorkload, prng } from '../workload';
import { copyTable, hostIdOf, type LogPlan, type LogTemplate } from './stamp';

/**
 * The query benchmarks' data set: a few hundred host histories decided in-process by the domain
 * (`decide`, `evolve`, `view`, `auditChanges`), each a prefix of the operations workload cut at a
 * random point, then stamped out over the fleet with shifted timestamps, re-sealed host by host,
 * and loaded by COPY in the order a projector would have written them (time order).
 */

export interface DatasetOptions {
  hosts: number;
  /** Audit records wanted overall: the templates are cut so that a host has about auditTarget / hosts. */
  auditTarget: number;
  templates: number;
  seed: number;
  /** The fleet's history runs from `start` to `end`. */
  start: Date;
  end: Date;
}

interface TemplateEvent {
  readonly event: HostEvent;
  /** Offset from the template's start, ms. */
  readonly offsetMs: number;
  readonly commandIndex: number;
}

interface TemplateAudit {
  readonly version: number;
  readonly index: number;
  readonly commandIndex: number;
  readonly commandType: string;
  readonly change: AttributeChange;
}

interface TemplateInterval {
  readonly patch: string;
  readonly state: string;
  readonly fromMs: number;
  readonly toMs: number | null;
  readonly fromSeq: number;
}

interface Template extends LogTemplate {
  readonly commands: { offsetMs: number; agent: boolean; type: string }[];
  readonly events: TemplateEvent[];
  readonly audits: TemplateAudit[][];
  readonly auditCount: number;
  readonly finalHost: ProjectedHost;
  readonly intervals: TemplateInterval[];
  readonly durationMs: number;
}

const TEMPLATE_EPOCH = Date.UTC(2026, 0, 1);
const TEMPLATE_HOST = 'template-host';
const AGENT_COMMANDS = new Set([
  'HostBooted',
  'TransitionProgress',
  'PatchComplete',
  'UnpatchComplete',
  'ModuleComing',
  'ModuleGoing',
  'EnableFailed',
]);

/** Decides one host history: a prefix of the operations workload holding about `auditWanted` records. */
function buildTemplate(seed: number, auditWanted: number): Template {
  const random = prng(seed * 7919 + 1);
  const commands: Template['commands'] = [];
  const events: TemplateEvent[] = [];
  const audits: TemplateAudit[][] = [];
  const intervals: TemplateInterval[] = [];
  const open = new Map<string, number>();
  let state = initialState(TEMPLATE_HOST);
  let projected = unknownHost(TEMPLATE_HOST, 0);
  let offset = 0;
  let seq = 0;
  for (const generated of operationsWorkload(1, seed)) {
    if (seq >= auditWanted) break;
    const type = generated.type as string;
    // Kernel reports follow each other within seconds, operator steps within minutes to hours.
    offset +=
      type === 'TransitionProgress' || type === 'PatchComplete' || type === 'UnpatchComplete'
        ? 2_000 + Math.floor(random() * 60_000)
        : 60_000 + Math.floor(random() * 4 * 3_600_000);
    const commandIndex = commands.length;
    const command = {
      ...generated,
      hostId: TEMPLATE_HOST,
      commandId: `t${seed}-${commandIndex}`,
      issuedAt: new Date(TEMPLATE_EPOCH + offset).toISOString(),
    } as CommandEnvelope;
    commands.push({ offsetMs: offset, agent: AGENT_COMMANDS.has(type), type });
    const decision = decide(command, state);
    const records: TemplateAudit[] = [];
    if (decision.outcome !== 'duplicate') {
      for (const event of decision.events) {
        const before = view(state);
        state = evolve(state, event);
        const folded = projectEvent(projected, event);
        if (!folded.ok) throw new Error(`template ${seed}: ${folded.error}`);
        projected = folded.value;
        const changes: AttributeChange[] =
          event.type === 'CommandRejected'
            ? [{ entity: { kind: 'host' }, attribute: 'rejected', from: null, to: event.payload.errno }]
            : auditChanges(before, view(state));
        changes.forEach((change, index) => {
          seq += 1;
          records.push({ version: event.version, index, commandIndex, commandType: type, change });
          if (change.entity.kind === 'patch' && change.attribute === 'state' && change.entity.patch) {
            const patch = change.entity.patch;
            const previous = open.get(patch);
            if (previous !== undefined) {
              intervals[previous] = { ...intervals[previous], toMs: offset };
              open.delete(patch);
            }
            if (typeof change.to === 'string') {
              open.set(patch, intervals.length);
              intervals.push({ patch, state: change.to, fromMs: offset, toMs: null, fromSeq: seq });
            }
          }
        });
        events.push({ event, offsetMs: offset, commandIndex });
      }
    }
    audits.push(records);
  }
  return {
    commands,
    events,
    audits,
    auditCount: seq,
    finalHost: projected,
    intervals,
    durationMs: offset,
  };
}

export interface Dataset extends LogPlan {
  readonly options: DatasetOptions;
  readonly templates: readonly Template[];
  /** Per host: its template and the start of its history (epoch ms). */
  readonly hostTemplate: Uint32Array;
  readonly hostStart: Float64Array;
  readonly counts: { hosts: number; events: number; audit: number; intervals: number };
}

export function buildDataset(options: DatasetOptions): Dataset {
  const random = prng(options.seed);
  const perHost = options.auditTarget / options.hosts;
  const templates = Array.from({ length: options.templates }, (_, index) =>
    // Uniform in [0.1, 1.9] × the mean: from hosts just booted to hosts a cycle and more along.
    // Less 3: a template stops after the command that reaches its count, about half a command over.
    buildTemplate(options.seed * 100_000 + index, Math.round(perHost * (0.1 + 1.8 * random())) - 3),
  );
  const hostTemplate = new Uint32Array(options.hosts);
  const hostStart = new Float64Array(options.hosts);
  const counts = { hosts: options.hosts, events: 0, audit: 0, intervals: 0 };
  const span = options.end.getTime() - options.start.getTime();
  for (let host = 0; host < options.hosts; host++) {
    const template = Math.floor(random() * templates.length);
    hostTemplate[host] = template;
    const room = Math.max(0, span - templates[template].durationMs);
    hostStart[host] = Math.floor(options.start.getTime() + random() * room);
    counts.events += templates[template].events.length;
    counts.audit += templates[template].auditCount;
    counts.intervals += templates[template].intervals.length;
  }
  return { options, templates, hostTemplate, hostStart, counts };
}

const shifted = (start: number, value: unknown) =>
  typeof value === 'string' ? new Date(start + Date.parse(value) - TEMPLATE_EPOCH).toISOString() : value;

/** hosts, host_patches, host_objects, host_funcs: each template's final rows (the projector's `hostRows`), per host. */
function* viewRows(dataset: Dataset, spec: TableSpec): Generator<Row> {
  const rows = dataset.templates.map((template) => {
    const all = hostRows(template.finalHost);
    if (spec === HOSTS) return all.host ? [all.host] : [];
    if (spec === HOST_PATCHES) return [...all.patches.values()];
    if (spec === HOST_OBJECTS) return [...all.objects.values()];
    return [...all.funcs.values()];
  });
  for (let host = 0; host < dataset.hostTemplate.length; host++) {
    const hostId = hostIdOf(host);
    const start = dataset.hostStart[host];
    for (const row of rows[dataset.hostTemplate[host]]) {
      const copy = [...row];
      copy[0] = hostId;
      if (spec === HOSTS) for (const column of [9, 10, 11]) copy[column] = shifted(start, copy[column]);
      yield copy;
    }
  }
}

const INTERVAL_COLUMNS: Column[] = [
  { name: 'host_id', type: 'text' },
  { name: 'patch', type: 'text' },
  { name: 'state', type: 'text' },
  { name: 'valid_from', type: 'timestamptz' },
  { name: 'valid_to', type: 'timestamptz' },
  { name: 'from_seq', type: 'bigint' },
];
const PATCH_STATE_HISTORY: TableSpec = { table: 'patch_state_history', key: [], columns: INTERVAL_COLUMNS };

/** patch_state_history, as the audit_log trigger would have filled it. */
function* intervalRows(dataset: Dataset): Generator<Row> {
  for (let host = 0; host < dataset.hostTemplate.length; host++) {
    const hostId = hostIdOf(host);
    const start = dataset.hostStart[host];
    for (const interval of dataset.templates[dataset.hostTemplate[host]].intervals) {
      yield [
        hostId,
        interval.patch,
        interval.state,
        new Date(start + interval.fromMs).toISOString(),
        interval.toMs === null ? 'infinity' : new Date(start + interval.toMs).toISOString(),
        interval.fromSeq,
      ];
    }
  }
}

export interface LoadResult {
  rows: number;
  /** COPY, then the logs' indexes rebuilt: the whole load. */
  seconds: number;
  copySeconds: number;
  indexSeconds: number;
  perTable: Record<string, number>;
}

const LOGS = ['audit_log', 'event_log'];

interface IndexDefinition {
  table: string;
  index: string;
  definition: string;
  constraint: string | null;
  constraintDefinition: string | null;
}

/** The indexes (primary keys included) of the two logs, to drop before a bulk load and make again after. */
async function logIndexes(client: Client): Promise<IndexDefinition[]> {
  const { rows } = await client.query<IndexDefinition>(
    `SELECT t.relname AS "table", i.relname AS "index", pg_get_indexdef(i.oid) AS definition,
            c.conname AS "constraint", pg_get_constraintdef(c.oid) AS "constraintDefinition"
       FROM pg_index x
       JOIN pg_class i ON i.oid = x.indexrelid
       JOIN pg_class t ON t.oid = x.indrelid
       LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
      WHERE t.relname = ANY($1) AND t.relnamespace = current_schema()::regnamespace
      ORDER BY t.relname, i.relname`,
    [LOGS],
  );
  return rows;
}

async function dropIndex(client: Client, index: IndexDefinition): Promise<void> {
  await client.query(
    index.constraint
      ? `ALTER TABLE ${index.table} DROP CONSTRAINT ${index.constraint}`
      : `DROP INDEX ${index.index}`,
  );
}

async function makeIndex(client: Client, index: IndexDefinition): Promise<void> {
  await client.query(
    index.constraint
      ? `ALTER TABLE ${index.table} ADD CONSTRAINT ${index.constraint} ${index.constraintDefinition}`
      : // A partitioned index's definition says ON ONLY: without it, the partitions get theirs too.
        index.definition.replace(' ON ONLY ', ' ON '),
  );
}

/** Workers that stamp and COPY the two logs, each for its share of the Kafka partitions. */
const LOG_WORKERS = 4;

export interface WorkerInput {
  url: string;
  plan: LogPlan;
  shard: number;
  shards: number;
}

/** One load worker (load-worker.ts, through the project's swc require hook); resolves with its row counts. */
function runWorker(input: WorkerInput): Promise<Record<string, number>> {
  const root = path.resolve(__dirname, '../..');
  const source =
    `require(${JSON.stringify(path.join(root, 'tools/register.js'))});` +
    `require(${JSON.stringify(path.join(__dirname, 'load-worker.ts'))});`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: input });
    let result: Record<string, number> | undefined;
    worker.once('message', (message: Record<string, number>) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`load worker ${input.shard} exited with ${code}`)),
    );
  });
}

/**
 * A bulk load the way one loads Postgres: the two logs' indexes (primary keys included) are dropped,
 * every table is COPYed (the logs by four workers, each for a quarter of the Kafka partitions in time
 * order as a projector instance writes them; the view tables here), then the indexes are made again,
 * exactly as the migrations defined them, two at a time. The log workers run with
 * session_replication_role = replica so that the `audit_log_patch_states` trigger does not fire:
 * patch_state_history is COPYed from the same intervals instead.
 */
export async function loadDataset(
  dataset: Dataset,
  url: string,
  connect: () => Promise<Client>,
  log: (line: string) => void,
): Promise<LoadResult> {
  const [client, second] = await Promise.all([connect(), connect()]);
  const perTable: Record<string, number> = { audit_log: 0, event_log: 0 };
  const started = process.hrtime.bigint();
  let copySeconds = 0;
  try {
    const indexes = await logIndexes(client);
    for (const index of indexes) await dropIndex(client, index);
    const plan: LogPlan = {
      templates: dataset.templates.map(({ commands, events, audits }) => ({ commands, events, audits })),
      hostTemplate: dataset.hostTemplate,
      hostStart: dataset.hostStart,
    };
    const logs = Promise.all(
      Array.from({ length: LOG_WORKERS }, async (_, shard) => {
        const counts = await runWorker({ url, plan, shard, shards: LOG_WORKERS });
        for (const [table, rows] of Object.entries(counts)) perTable[table] += rows;
      }),
    );
    const views = (async () => {
      for (const spec of [HOSTS, HOST_PATCHES, HOST_OBJECTS, HOST_FUNCS]) {
        perTable[spec.table] = await copyTable(client, spec, viewRows(dataset, spec));
      }
      perTable.patch_state_history = await copyTable(client, PATCH_STATE_HISTORY, intervalRows(dataset));
    })();
    await Promise.all([logs, views]);
    copySeconds = elapsed(started);
    log(`  every table copied after ${copySeconds.toFixed(1)} s`);
    const queue = [...indexes];
    await Promise.all(
      [client, second].map(async (connection) => {
        await connection.query(`SET maintenance_work_mem = '512MB'`);
        for (let index = queue.shift(); index; index = queue.shift()) await makeIndex(connection, index);
      }),
    );
    log(`  ${indexes.length} log indexes made again after ${elapsed(started).toFixed(1)} s`);
  } finally {
    await Promise.all([client.end(), second.end()]);
  }
  const seconds = elapsed(started);
  const rows = Object.values(perTable).reduce((sum, count) => sum + count, 0);
  return { rows, seconds, copySeconds, indexSeconds: seconds - copySeconds, perTable };
}

const elapsed = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * The monthly partitions a deployment running for those thirty days would have made ahead of time
 * (the migration makes them from the current month on): older rows would otherwise all fall into
 * the default partition.
 */
export async function monthlyPartitions(connect: () => Promise<Client>, from: Date): Promise<void> {
  const client = await connect();
  try {
    await client.query(
      `DO $$
       DECLARE
         month_start timestamptz;
         log record;
         name text;
       BEGIN
         FOR log IN SELECT * FROM (VALUES ('audit_log'), ('event_log')) AS t(tbl) LOOP
           month_start := date_trunc('month', $1::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
           WHILE month_start < now() LOOP
             name := format('%s_y%sm%s', log.tbl, to_char(month_start AT TIME ZONE 'UTC', 'YYYY'),
                            to_char(month_start AT TIME ZONE 'UTC', 'MM'));
             IF to_regclass(name) IS NULL THEN
               EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                              name, log.tbl, month_start, month_start + interval '1 month');
             END IF;
             month_start := month_start + interval '1 month';
           END LOOP;
         END LOOP;
       END $$`.replace('$1::timestamptz', `'${from.toISOString()}'::timestamptz`),
    );
  } finally {
    await client.end();
  }
}
