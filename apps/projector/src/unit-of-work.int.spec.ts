import type { DeadLetter } from '@klp/contracts';
import { view } from '@klp/domain';
import { Projection, copyWriter, hybridWriter, unnestWriter, type PartitionBatch } from '@klp/store';
import fc from 'fast-check';
import { Client, type Pool } from 'pg';
import { fleetArbitrary, sampleFleet } from './testing/fleet-history';
import { checksums, readHostViews } from './testing/read-back';
import { interleave, partitionBatches, record } from './testing/records';
import { createTestDatabase, waitFor, type TestDatabase } from './testing/test-database';

// The projector's unit of work against a real Postgres: batches made of events the domain decided.
const SEED = 20261127;
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('uow');
});
afterAll(async () => {
  await database?.drop();
});

function collector() {
  const letters: DeadLetter[] = [];
  return {
    letters,
    publishDeadLetters: (more: readonly DeadLetter[]) => Promise.resolve(void letters.push(...more)),
  };
}

async function storedOffset(pool: Pool, batch: PartitionBatch): Promise<string | undefined> {
  const { rows } = await pool.query<{ next_offset: string }>(
    `SELECT next_offset FROM projection_offsets WHERE topic = $1 AND partition = $2`,
    [batch.topic, batch.partition],
  );
  return rows[0]?.next_offset;
}

describe('the projection unit of work', () => {
  it('applies each batch a second time (same instance, or a fresh one) without changing a row or an offset', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fleetArbitrary({ hosts: 6, commands: 80 }),
        fc.integer({ min: 4, max: 30 }),
        async (fleet, size) => {
          run += 1;
          const pool = await database.schema(`twice_${run}`);
          const batches = interleave([
            ...partitionBatches('events', 'klp.events', fleet.events, 3, size),
            ...partitionBatches('audit', 'klp.audit', fleet.audit, 3, size),
          ]);
          const projection = new Projection(pool, collector());
          for (const batch of batches) {
            const first = await projection.apply(batch);
            const after = await checksums(pool);
            const again = await projection.apply(batch);
            expect(again).toMatchObject({
              applied: 0,
              skipped: batch.records.length,
              storedBefore: first.nextOffset,
            });
            expect(await checksums(pool)).toEqual(after);
            const fresh = await new Projection(pool, collector()).apply(batch);
            expect(fresh).toMatchObject({ applied: 0, nextOffset: first.nextOffset });
            expect(await checksums(pool)).toEqual(after);
            expect(await storedOffset(pool, batch)).toBe(first.nextOffset);
          }
          const views = await readHostViews(pool);
          for (const [hostId, state] of fleet.states) expect(views.get(hostId) ?? null).toEqual(view(state));
          await pool.end();
        },
      ),
      { seed: SEED, numRuns: 6 },
    );
  });

  it('sends a record it cannot read to the dead letters, advances past it, and projects the next one', async () => {
    const pool = await database.schema('poison');
    const fleet = sampleFleet(SEED, { hosts: 1, commands: 10 });
    const [first, second] = fleet.events.filter((event) => event.type !== 'CommandRejected');
    const dlq = collector();
    const projection = new Projection(pool, {
      ...dlq,
      app: 'spec',
      clock: () => new Date('2026-11-28T00:00:00Z'),
    });
    const result = await projection.apply({
      kind: 'events',
      topic: 'klp.events',
      partition: 0,
      records: [
        record(0, first.hostId, first),
        record(1, 'h0', 'not json {'),
        record(2, 'h0', { ...second, type: 'PatchTeleported' }),
        record(3, 'h0', { ...second, schemaVersion: 99 }),
        record(4, 'h0', { ...second, version: second.version + 5 }),
        record(5, second.hostId, second),
      ],
    });
    expect(result).toMatchObject({ applied: 2, deadLetters: 4, nextOffset: '6' });
    expect(dlq.letters.map((letter) => [letter.sourceOffset, letter.error])).toEqual([
      ['1', expect.stringMatching(/^not JSON/)],
      ['2', 'unknown event type "PatchTeleported"'],
      ['3', 'unknown event schemaVersion 99'],
      ['4', expect.stringMatching(/does not follow/)],
    ]);
    expect(dlq.letters[0]).toMatchObject({
      schemaVersion: 1,
      sourceTopic: 'klp.events',
      value: 'not json {',
      valueEncoding: 'utf8',
      app: 'spec',
    });
    const views = await readHostViews(pool);
    expect(views.get(first.hostId)?.version).toBe(second.version);

    const audit = await projection.apply({
      kind: 'audit',
      topic: 'klp.audit',
      partition: 0,
      records: [
        record(0, 'h0', Buffer.from([0xff, 0xfe])),
        record(1, 'h0', { ...fleet.audit[0], schemaVersion: 99 }),
        record(2, 'h0', fleet.audit[0]),
      ],
    });
    expect(audit).toMatchObject({ applied: 1, deadLetters: 2, nextOffset: '3' });
    expect(dlq.letters[4]).toMatchObject({
      valueEncoding: 'base64',
      value: Buffer.from([0xff, 0xfe]).toString('base64'),
    });
    await pool.end();
  });

  it('isolates a record Postgres refuses by halving the batch, dead-letters it alone, and keeps the rest', async () => {
    const pool = await database.schema('refused');
    const fleet = sampleFleet(SEED, { hosts: 4, commands: 40 });
    const batch = partitionBatches('events', 'klp.events', fleet.events, 1, 1000)[0];
    // Year 0 is a valid ISO-8601 instant to JavaScript and out of range to Postgres.
    // A refusal changes no host, so losing it leaves every other event of the batch applicable.
    const victim = fleet.events.findIndex((event, i) => i > 10 && event.type === 'CommandRejected');
    const poisoned = { ...batch, records: [...batch.records] };
    poisoned.records[victim] = record(victim, 'x', {
      ...fleet.events[victim],
      occurredAt: '0000-01-01T00:00:00Z',
    });
    const dlq = collector();
    const result = await new Projection(pool, dlq).apply(poisoned);
    expect(dlq.letters.map((letter) => letter.sourceOffset)).toEqual([String(victim)]);
    expect(dlq.letters[0].error).toMatch(/Postgres refused it: 22008/);
    expect(result).toMatchObject({
      deadLetters: 1,
      applied: batch.records.length - 1,
      nextOffset: String(batch.records.length),
    });
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM event_log`);
    expect(rows[0].n).toBe(batch.records.length - 1);
    await pool.end();
  });

  it('writes text that needs quoting or escaping the same through each writer', async () => {
    const awkward = 'tab\there, newline\nthere, back\\slash, "quote", {brace}, comma';
    const event = {
      ...sampleFleet(SEED, { hosts: 1, commands: 1 }).events[0],
      type: 'HostBooted',
      version: 1,
      actor: awkward,
      payload: { kernelRelease: '4.19\\"{a,b}\'', modules: ['nfsd'] },
    };
    const sums = [];
    for (const [schema, writer] of [
      ['escape_unnest', unnestWriter],
      ['escape_copy', copyWriter()],
      ['escape_hybrid', hybridWriter()],
    ] as const) {
      const pool = await database.schema(schema);
      await new Projection(pool, { writer }).apply({
        kind: 'events',
        topic: 't',
        partition: 0,
        records: [record(0, 'h', event)],
      });
      const { rows } = await pool.query<{ actor: string; kernel_release: string; payload: unknown }>(
        `SELECT e.actor, h.kernel_release, e.payload FROM event_log e JOIN hosts h USING (host_id)`,
      );
      expect(rows).toEqual([
        { actor: awkward, kernel_release: event.payload.kernelRelease, payload: event.payload },
      ]);
      sums.push(await checksums(pool));
      await pool.end();
    }
    expect(sums[1]).toEqual(sums[0]);
    expect(sums[2]).toEqual(sums[0]);
  });

  it('NOTIFYs klp_settled with the command ids once the rows are committed, in payloads under 7,900 bytes', async () => {
    const pool = await database.schema('notify');
    const prefix = `a-rather-long-prefix-for-command-ids-${'x'.repeat(40)}-`;
    const fleet = sampleFleet(SEED, { hosts: 30, commands: 600, prefix });
    const batch = partitionBatches('events', 'klp.events', fleet.events, 1, 10_000)[0];
    const listener = new Client({ connectionString: database.url });
    await listener.connect();
    const heard: string[] = [];
    const visible: boolean[] = [];
    listener.on('notification', (message) => {
      heard.push(message.payload ?? '');
      const ids = (message.payload ?? '').split(',');
      // Read at once on another connection: the outcomes must already be there.
      void pool
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM command_outcomes WHERE command_id = ANY($1)`, [
          ids,
        ])
        .then(({ rows }) => visible.push(rows[0].n === ids.length));
    });
    await listener.query('LISTEN klp_settled');
    const result = await new Projection(pool, collector()).apply(batch);
    await waitFor(
      'every settled command id to be heard',
      () => heard.join(',').split(',').length >= new Set(result.settled).size,
    );
    await waitFor('the reads made on hearing them', () => visible.length === heard.length);
    expect(heard.length).toBeGreaterThan(1);
    for (const payload of heard) expect(Buffer.byteLength(payload)).toBeLessThan(7900);
    expect(new Set(heard.join(',').split(','))).toEqual(
      new Set(fleet.events.map((event) => event.commandId)),
    );
    expect(visible.every(Boolean)).toBe(true);
    await listener.end();
    await pool.end();
  });
});
