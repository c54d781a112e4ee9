import fc from 'fast-check';
import { Client } from 'pg';
// migrations/ is no Nx project: the spec lays the schema exactly as `npm start` does.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { migrations } from '../../../../migrations';
import { sealAuditRecord } from '@klp/contracts';
import { ensureDatabase } from '../database';
import { migrate } from '../data-source';
import { scratchDatabase } from '../testing/scratch-database';
import { auditSelect, listAudit, verifyHostChain, type AuditFilter, type AuditKey } from './audit.reader';

/**
 * The audit reader against a reference: random commands of several records each, on few hosts, at
 * few instants (so that times tie across hosts, and within a host out of seq order, as clock skew
 * between api instances allows), then every filter paged at several page sizes, both directions,
 * must list exactly the matching records in the order (at, host_id, seq). Whatever plan the reader
 * picks (a host's key range, the patch index, or command heads expanded), the answer is the same.
 */
const database = scratchDatabase('audit_reader');
const { url } = database;

interface Row {
  hostId: string;
  seq: number;
  index: number;
  at: string;
  actor: string;
  commandId: string;
  patch: string | null;
}

const HOSTS = ['host-a', 'host-b', 'host-c', 'web-1'];
const ACTORS = ['alice', 'bob', 'fleet-sim'];
const PATCHES = ['lp-1', 'lp-2', null];
const INSTANTS = ['2026-11-01T10:00:00.000Z', '2026-11-01T10:00:00.001Z', '2026-11-02T08:30:00.500Z'];

interface CommandSpec {
  host: string;
  at: string;
  actor: string;
  patches: (string | null)[];
}

const commandArbitrary: fc.Arbitrary<CommandSpec> = fc.record({
  host: fc.constantFrom(...HOSTS),
  at: fc.constantFrom(...INSTANTS),
  actor: fc.constantFrom(...ACTORS),
  patches: fc.array(fc.constantFrom(...PATCHES), { minLength: 1, maxLength: 4 }),
});

function rowsOf(commands: readonly CommandSpec[]): Row[] {
  const seqs = new Map<string, number>();
  const rows: Row[] = [];
  commands.forEach((command, number) => {
    command.patches.forEach((patch, index) => {
      const seq = (seqs.get(command.host) ?? 0) + 1;
      seqs.set(command.host, seq);
      rows.push({
        hostId: command.host,
        seq,
        index,
        at: command.at,
        actor: command.actor,
        commandId: `c${number}`,
        patch,
      });
    });
  });
  return rows;
}

function expected(rows: readonly Row[], filter: AuditFilter): string[] {
  return rows
    .filter(
      (row) =>
        (filter.hostId === undefined || row.hostId === filter.hostId) &&
        (filter.patch === undefined || row.patch === filter.patch) &&
        (filter.actor === undefined || row.actor === filter.actor) &&
        (filter.commandId === undefined || row.commandId === filter.commandId) &&
        (filter.since === undefined || row.at >= filter.since) &&
        (filter.until === undefined || row.at <= filter.until) &&
        (filter.hostPattern === undefined || new RegExp(filter.hostPattern).test(row.hostId)),
    )
    .sort((a, b) =>
      a.at !== b.at
        ? a.at < b.at
          ? 1
          : -1
        : a.hostId !== b.hostId
          ? a.hostId < b.hostId
            ? 1
            : -1
          : b.seq - a.seq,
    )
    .map((row) => `${row.hostId}#${row.seq}`);
}

const FILTERS: AuditFilter[] = [
  {},
  { hostId: 'host-b' },
  { hostId: 'host-a', patch: 'lp-1' },
  { patch: 'lp-2' },
  { actor: 'bob' },
  { actor: 'alice', patch: 'lp-1' },
  { commandId: 'c3' },
  { commandId: 'c5', patch: 'lp-1' },
  { since: INSTANTS[1] },
  { until: INSTANTS[1], actor: 'fleet-sim' },
  { hostPattern: '^host-[ab]$' },
  { hostPattern: '^host-', patch: 'lp-2', since: INSTANTS[0] },
];

const INSERT = `INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type,
                                      entity_kind, patch, attribute, from_value, to_value, prev_hash, hash)
  SELECT host_id, seq, 1, idx, at, actor, command_id, 'EnablePatch', 'patch', patch, 'enabled', 'false', 'true', '', ''
    FROM unnest($1::text[], $2::bigint[], $3::int[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
         AS t(host_id, seq, idx, at, actor, command_id, patch)`;

describe('audit reader: every filter, paged, equals the reference order', () => {
  const clients: Client[] = [];

  beforeAll(async () => {
    await ensureDatabase(url);
  });

  afterAll(async () => {
    await Promise.allSettled(clients.map((client) => client.end()));
    await database.drop();
  });

  /** A fresh schema per history: the log is append-only, so nothing can be cleared between runs. */
  async function freshSchema(name: string): Promise<Client> {
    await migrate({ url, schema: name, migrations });
    const client = new Client({ connectionString: url, options: `-c search_path=${name}` });
    await client.connect();
    clients.push(client);
    return client;
  }

  it('lists, pages both ways and exports like the reference, for random histories', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(commandArbitrary, { minLength: 1, maxLength: 25 }), async (commands) => {
        const client = await freshSchema(`audit_run_${++run}`);
        const rows = rowsOf(commands);
        await client.query(INSERT, [
          rows.map((r) => r.hostId),
          rows.map((r) => r.seq),
          rows.map((r) => r.index),
          rows.map((r) => r.at),
          rows.map((r) => r.actor),
          rows.map((r) => r.commandId),
          rows.map((r) => r.patch),
        ]);
        for (const filter of FILTERS) {
          const reference = expected(rows, filter);
          for (const limit of [1, 2, 5]) {
            expect(await walkNewest(client, filter, limit)).toEqual(reference);
            expect(await walkOldest(client, filter, limit)).toEqual([...reference].reverse());
          }
          expect(await select(client, auditSelect(filter, 'oldest'))).toEqual([...reference].reverse());
        }
      }),
      { numRuns: 12 },
    );
  });

  it('verifies a host chain in seq order although its times run backwards', async () => {
    const client = await freshSchema('audit_skewed');
    const genesis = '0'.repeat(64);
    const first = {
      schemaVersion: 1 as const,
      hostId: 'skewed',
      seq: 1,
      version: 1,
      index: 0,
      at: '2026-11-03T00:00:02.000Z',
      actor: 'ops',
      commandId: 'k1',
      commandType: 'HostBooted',
      entity: { kind: 'host' as const },
      attribute: 'kernelRelease',
      from: null,
      to: '6.1',
      prevHash: genesis,
    };
    const one = sealAuditRecord(first);
    const two = sealAuditRecord({
      ...first,
      seq: 2,
      version: 2,
      at: '2026-11-03T00:00:01.000Z',
      commandId: 'k2',
      from: '6.1',
      to: '6.2',
      prevHash: one.hash,
    });
    for (const record of [one, two]) {
      await client.query(
        `INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type,
                                entity_kind, attribute, from_value, to_value, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'host', $9, $10, $11, $12, $13)`,
        [
          record.hostId,
          record.seq,
          record.version,
          record.index,
          record.at,
          record.actor,
          record.commandId,
          record.commandType,
          record.attribute,
          JSON.stringify(record.from),
          JSON.stringify(record.to),
          record.prevHash,
          record.hash,
        ],
      );
    }
    expect(await verifyHostChain(client, 'skewed')).toEqual({ hostId: 'skewed', records: 2, ok: true });
    expect(await walkNewest(client, { hostId: 'skewed' }, 1)).toEqual(['skewed#1', 'skewed#2']);
  });
});

async function select(client: Client, query: { text: string; params: unknown[] }): Promise<string[]> {
  const { rows } = await client.query<{ host_id: string; seq: string }>(query.text, query.params);
  return rows.map((row) => `${row.host_id}#${row.seq}`);
}

async function walkNewest(client: Client, filter: AuditFilter, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let after: AuditKey | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await listAudit(client, filter, limit, after);
    keys.push(...page.items.map((record) => `${record.hostId}#${record.seq}`));
    if (page.nextKey === null) return keys;
    after = page.nextKey;
  }
  throw new Error('paging did not end');
}

async function walkOldest(client: Client, filter: AuditFilter, limit: number): Promise<string[]> {
  const keys: string[] = [];
  let after: AuditKey | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const { rows } = await client.query<{ host_id: string; seq: string; at: Date; record_index: number }>(
      ...(Object.values(auditSelect(filter, 'oldest', after, limit)) as [string, unknown[]]),
    );
    keys.push(...rows.map((row) => `${row.host_id}#${row.seq}`));
    const last = rows.at(-1);
    if (rows.length < limit || !last) return keys;
    after = {
      at: last.at.toISOString(),
      hostId: last.host_id,
      seq: Number(last.seq),
      index: last.record_index,
    };
  }
  throw new Error('paging did not end');
}
