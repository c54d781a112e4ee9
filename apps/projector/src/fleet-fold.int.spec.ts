import type { DeadLetter } from '@klp/contracts';
import { view } from '@klp/domain';
import { Projection, copyWriter, hybridWriter, type BulkWriter } from '@klp/store';
import type { Pool } from 'pg';
import { sampleFleet } from './testing/fleet-history';
import { checksums, readHostViews } from './testing/read-back';
import { interleave, partitionBatches } from './testing/records';
import { createTestDatabase, type TestDatabase } from './testing/test-database';

// ~2,000 commands over 50 hosts decided by the domain, projected in batches: the rows, read back
// on their own, are each host's `view(fold(events))`, field for field and key for key.
const fleet = sampleFleet(5, { hosts: 50, commands: 2000 });
const batches = interleave([
  ...partitionBatches('events', 'klp.events', fleet.events, 4, 97),
  ...partitionBatches('audit', 'klp.audit', fleet.audit, 4, 250),
]);
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase('fold');
});
afterAll(async () => {
  await database?.drop();
});

async function project(
  schema: string,
  options: { cacheHosts?: number; writer?: BulkWriter } = {},
): Promise<Pool> {
  const pool = await database.schema(schema);
  const publishDeadLetters = (letters: readonly DeadLetter[]) =>
    Promise.reject(new Error(`unexpected dead letters: ${letters.map((letter) => letter.error).join('; ')}`));
  const projection = new Projection(pool, { ...options, publishDeadLetters });
  for (const batch of batches) await projection.apply(batch);
  return pool;
}

describe('projecting a fleet history decided by the domain', () => {
  let reference: Pool;

  beforeAll(async () => {
    reference = await project('reference');
  });

  it('shows every host exactly as the domain views it', async () => {
    expect(fleet.events.length).toBeGreaterThan(1800);
    const accepted = fleet.events.filter((event) => event.type !== 'CommandRejected').length;
    expect(accepted).toBeGreaterThan(600);
    const views = await readHostViews(reference);
    expect([...views.keys()].sort()).toEqual(
      [...fleet.states]
        .filter(([, state]) => state.version > 0)
        .map(([id]) => id)
        .sort(),
    );
    for (const [hostId, state] of fleet.states) {
      const expected = view(state);
      expect(views.get(hostId) ?? null).toEqual(expected);
      // Key order too: a reader ordering by position rebuilds the same JSON text.
      expect(JSON.stringify(views.get(hostId) ?? null)).toBe(JSON.stringify(expected));
    }
  });

  it('keeps every event, every audit record and one outcome per decided command', async () => {
    const count = async (table: string) =>
      (await reference.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    expect(await count('event_log')).toBe(fleet.events.length);
    expect(await count('audit_log')).toBe(fleet.audit.length);
    expect(await count('command_outcomes')).toBe(new Set(fleet.events.map((event) => event.commandId)).size);
  });

  it('writes the same rows when hosts are evicted and refolded from event_log at every batch', async () => {
    const pool = await project('evicting', { cacheHosts: 1 });
    expect(await checksums(pool)).toEqual(await checksums(reference));
  });

  it.each([
    ['COPY', 'copy', copyWriter],
    ['COPY for the logs, unnest for the view (the default)', 'hybrid', hybridWriter],
  ])('writes the same rows through %s as through unnest arrays', async (_, schema, writer) => {
    const pool = await project(schema, { writer: writer() });
    expect(await checksums(pool)).toEqual(await checksums(reference));
  });
});
