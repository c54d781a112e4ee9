import { Projection, fenceProjection } from '@klp/store';
import { Client, type Pool } from 'pg';
import { sampleFleet } from '../testing/fleet-history';
import { partitionBatches } from '../testing/records';
import { checksums } from '../testing/read-back';
import { createTestDatabase, waitFor, type TestDatabase } from '../testing/test-database';

// The swap's fence, alone: a projector batch that starts while the swap holds the fence waits, and
// once the renames commit it writes into the schema swapped in, whose offsets it finds, and it
// forgets every host folded from the old rows (ADR 0005).
const fleet = sampleFleet(7, { hosts: 5, commands: 300 });
const [first, second] = partitionBatches('events', 'klp.events', fleet.events, 1, 100);
let database: TestDatabase;
let admin: Client;

beforeAll(async () => {
  database = await createTestDatabase('fence');
  admin = new Client({ connectionString: database.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await database?.drop();
});

const waitingOnFence = async () =>
  (
    await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1`,
      [0x6b6c7001],
    )
  ).rows[0].n;

describe('the projection fence', () => {
  it('holds a batch during the swap; the batch then lands in the swapped-in schema and drops its cache', async () => {
    const live: Pool = await database.schema('fence');
    const messages: string[] = [];
    const projection = new Projection(live, {
      notifyChannel: null,
      log: (_, message) => messages.push(message),
    });
    await projection.apply(first);
    expect(projection.cachedHosts).toBeGreaterThan(0);

    // The rebuild: the same first batch, applied by another instance into another schema.
    const rebuilt = await database.schema('fence_next');
    await new Projection(rebuilt, { notifyChannel: null }).apply(first);

    await admin.query('BEGIN');
    await fenceProjection(admin, 'fence');
    const applying = projection.apply(second);
    await waitFor('the batch to wait on the fence', async () => (await waitingOnFence()) === 1);
    await admin.query(`ALTER SCHEMA fence RENAME TO fence_old`);
    await admin.query(`ALTER SCHEMA fence_next RENAME TO fence`);
    await admin.query('COMMIT');
    const result = await applying;

    expect(result.storedBefore).toBe(String(first.records.length));
    expect(messages).toEqual(['the read model was swapped (a rebuild): every folded host is forgotten']);
    const offsets = await admin.query<{ schema: string; next_offset: string }>(
      `SELECT 'old' AS schema, next_offset FROM fence_old.projection_offsets
       UNION ALL SELECT 'new', next_offset FROM fence.projection_offsets ORDER BY 1`,
    );
    expect(offsets.rows).toEqual([
      { schema: 'new', next_offset: String(first.records.length + second.records.length) },
      { schema: 'old', next_offset: String(first.records.length) },
    ]);
    // The swapped-in schema now holds what one uninterrupted projection of both batches holds.
    const reference = await database.schema('reference');
    const once = new Projection(reference, { notifyChannel: null });
    await once.apply(first);
    await once.apply(second);
    expect(await checksums(live)).toEqual(await checksums(reference));
  });
});
