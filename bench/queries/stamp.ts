import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { sealAuditRecord, type AttributeChange, type HostEvent } from '@klp/contracts';
// The projector's own row mapping and column specs (not part of the store's public surface).
import { auditLogRow, eventLogRow } from '../../libs/store/src/projection/log-rows';
import {
  AUDIT_LOG,
  encodeValue,
  type Column,
  type Row,
  type TableSpec,
} from '../../libs/store/src/projection/tables';

/**
 * Stamping the decided host histories out over the fleet: each host's events and audit records,
 * its chain sealed with the project's `sealAuditRecord`, in time order, as COPY text. Light on
 * imports, so that the load workers (load-worker.ts) start fast.
 */

export interface LogTemplate {
  readonly commands: readonly { offsetMs: number; agent: boolean; type: string }[];
  readonly events: readonly { event: HostEvent; offsetMs: number; commandIndex: number }[];
  /** Audit records grouped by command index. */
  readonly audits: readonly (readonly {
    version: number;
    index: number;
    commandIndex: number;
    commandType: string;
    change: AttributeChange;
  }[])[];
}

/** Which template each host follows and when its history starts (epoch ms). */
export interface LogPlan {
  readonly templates: readonly LogTemplate[];
  readonly hostTemplate: Uint32Array;
  readonly hostStart: Float64Array;
}

export const PARTITIONS = 12;
const OPERATORS = ['ops-alice', 'ops-bob', 'ops-carol', 'rollout-bot'];

export const hostIdOf = (index: number) => `host-${String(index).padStart(6, '0')}`;

/** A shard is a set of Kafka partitions, as a projector instance would own them. */
export const inShard = (host: number, shard: number, shards: number) =>
  (host % PARTITIONS) % shards === shard;

/** Every host's commands in time order (a min-heap on the next command's instant). */
function* commandsInTimeOrder(
  plan: LogPlan,
  shard: number,
  shards: number,
): Generator<[host: number, command: number]> {
  const { templates, hostTemplate, hostStart } = plan;
  const size = hostTemplate.length;
  const heapHost = new Int32Array(size);
  const heapAt = new Float64Array(size);
  const next = new Int32Array(size);
  let length = 0;
  const at = (host: number) => hostStart[host] + templates[hostTemplate[host]].commands[next[host]].offsetMs;
  const swap = (a: number, b: number) => {
    const h = heapHost[a];
    heapHost[a] = heapHost[b];
    heapHost[b] = h;
    const t = heapAt[a];
    heapAt[a] = heapAt[b];
    heapAt[b] = t;
  };
  const less = (a: number, b: number) =>
    heapAt[a] < heapAt[b] || (heapAt[a] === heapAt[b] && heapHost[a] < heapHost[b]);
  const up = (index: number) => {
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!less(index, parent)) return;
      swap(index, parent);
      index = parent;
    }
  };
  const down = (index: number) => {
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < length && less(left, smallest)) smallest = left;
      if (right < length && less(right, smallest)) smallest = right;
      if (smallest === index) return;
      swap(index, smallest);
      index = smallest;
    }
  };
  for (let host = 0; host < size; host++) {
    if (!inShard(host, shard, shards) || templates[hostTemplate[host]].commands.length === 0) continue;
    heapHost[length] = host;
    heapAt[length] = at(host);
    up(length++);
  }
  while (length > 0) {
    const host = heapHost[0];
    yield [host, next[host]];
    next[host] += 1;
    if (next[host] < templates[hostTemplate[host]].commands.length) {
      heapAt[0] = at(host);
    } else {
      length -= 1;
      heapHost[0] = heapHost[length];
      heapAt[0] = heapAt[length];
    }
    down(0);
  }
}

const commandIdOf = (hostId: string, command: number) => `${hostId}:c${command}`;
const actorOf = (template: LogTemplate, hostId: string, command: number) =>
  template.commands[command].agent
    ? `agent:${hostId}`
    : OPERATORS[(command * 31 + hostId.length) % OPERATORS.length];

/** event_log rows in time order, with per-partition offsets as the decider would have produced them. */
export function* eventRows(dataset: LogPlan, shard: number, shards: number): Generator<Row> {
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const firstEvent = dataset.templates.map((template) => {
    const first = new Int32Array(template.commands.length + 1).fill(-1);
    template.events.forEach((event, index) => {
      if (first[event.commandIndex] === -1) first[event.commandIndex] = index;
    });
    return first;
  });
  for (const [host, command] of commandsInTimeOrder(dataset, shard, shards)) {
    const template = dataset.templates[dataset.hostTemplate[host]];
    const hostId = hostIdOf(host);
    const partition = host % PARTITIONS;
    const occurredAt = new Date(dataset.hostStart[host] + template.commands[command].offsetMs).toISOString();
    const commandId = commandIdOf(hostId, command);
    const actor = actorOf(template, hostId, command);
    const first = firstEvent[dataset.hostTemplate[host]][command];
    for (let index = first; first >= 0 && index < template.events.length; index++) {
      const entry = template.events[index];
      if (entry.commandIndex !== command) break;
      const event = {
        ...entry.event,
        hostId,
        commandId,
        correlationId: commandId,
        actor,
        occurredAt,
      } as HostEvent;
      yield eventLogRow(event, partition, String(offsets[partition]++));
    }
  }
}

/**
 * audit_log rows in time order as COPY lines, each host's chain sealed with the project's
 * `sealAuditRecord`. The columns that come from the template (command type, entity, attribute,
 * from, to) are encoded once per template record; the first 1,000 lines and every 997th after are
 * checked against the projector's own mapping (`auditLogRow`) and COPY encoding.
 */
export function* auditRows(dataset: LogPlan, shard: number, shards: number): Generator<string> {
  const seqs = new Uint32Array(dataset.hostTemplate.length);
  const heads = new Array<string>(dataset.hostTemplate.length).fill('0'.repeat(64));
  const columns = AUDIT_LOG.columns;
  const middles = dataset.templates.map((template) =>
    template.audits.map((records) =>
      records.map((record) => {
        const { entity } = record.change;
        const values = [
          record.commandType,
          entity.kind,
          entity.patch ?? null,
          entity.object ?? null,
          entity.func ?? null,
          record.change.attribute,
          record.change.from,
          record.change.to,
        ];
        return values.map((value, i) => copyField(columns[7 + i], value)).join('\t');
      }),
    ),
  );
  let produced = 0;
  for (const [host, command] of commandsInTimeOrder(dataset, shard, shards)) {
    const template = dataset.templates[dataset.hostTemplate[host]];
    const records = template.audits[command];
    if (records.length === 0) continue;
    const hostId = hostIdOf(host);
    const at = new Date(dataset.hostStart[host] + template.commands[command].offsetMs).toISOString();
    const commandId = commandIdOf(hostId, command);
    const actor = actorOf(template, hostId, command);
    const middle = middles[dataset.hostTemplate[host]][command];
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const prevHash = heads[host];
      const sealed = sealAuditRecord({
        schemaVersion: 1,
        hostId,
        seq: ++seqs[host],
        version: record.version,
        index: record.index,
        at,
        actor,
        commandId,
        commandType: record.commandType,
        entity: record.change.entity,
        attribute: record.change.attribute,
        from: record.change.from,
        to: record.change.to,
        prevHash,
      });
      heads[host] = sealed.hash;
      // host_id, seq, version, record_index, at, actor and command_id never hold a COPY special.
      const line =
        `${hostId}\t${sealed.seq}\t${record.version}\t${record.index}\t${at}\t${actor}\t${commandId}\t` +
        `${middle[i]}\t${prevHash}\t${sealed.hash}`;
      if (produced < 1000 || produced % 997 === 0) {
        const expected = copyLine(columns, auditLogRow(sealed));
        if (line !== expected) throw new Error(`audit COPY line differs:\n${line}\n${expected}`);
      }
      produced += 1;
      yield line;
    }
  }
}

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** COPY text format, as the projector's copy writer encodes it. */
function copyField(column: Column, value: unknown): string {
  const encoded = encodeValue(column.type, value);
  if (encoded === null) return '\\N';
  const text =
    typeof encoded === 'string'
      ? encoded
      : typeof encoded === 'boolean'
        ? encoded
          ? 't'
          : 'f'
        : typeof encoded === 'number' || typeof encoded === 'bigint'
          ? encoded.toString()
          : JSON.stringify(encoded);
  return SPECIAL.test(text) ? text.replace(SPECIALS, (char) => ESCAPES[char]) : text;
}

function copyLine(columns: readonly Column[], row: Row): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) line += (i ? '\t' : '') + copyField(columns[i], row[i]);
  return line;
}

/** 256 KiB chunks of COPY text; a string is a line already encoded. */
function* copyChunks(columns: readonly Column[], rows: Iterable<Row | string>, counter: { rows: number }) {
  let chunk = '';
  for (const row of rows) {
    chunk += `${typeof row === 'string' ? row : copyLine(columns, row)}\n`;
    counter.rows += 1;
    if (chunk.length > 256 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function copyTable(
  client: Client,
  spec: TableSpec,
  rows: Iterable<Row | string>,
): Promise<number> {
  const counter = { rows: 0 };
  const names = spec.columns.map((column) => column.name).join(', ');
  await pipeline(
    Readable.from(copyChunks(spec.columns, rows, counter)),
    client.query(copyFrom(`COPY ${spec.table} (${names}) FROM STDIN`)),
  );
  return counter.rows;
}
