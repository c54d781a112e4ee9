import { Client } from 'pg';
import { ensureDatabase, migrate, revertAll } from '@klp/store';
// libs/store's spec helper: migrations/ is no Nx project, so it has no path alias of its own.
import { scratchDatabase } from '../libs/store/src/testing/scratch-database';
import { migrations } from './index';

// Every migration applies to a fresh database and reverts cleanly (STYLE.md, "Data").
const database = scratchDatabase('migrations');
const { url } = database;

async function tablesIn(schema: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );
    return result.rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

describe('migrations on a fresh database', () => {
  beforeAll(async () => {
    expect((await ensureDatabase(url)).created).toBe(true);
  });

  afterAll(() => database.drop());

  it('applies every migration, then reverts every one', async () => {
    const applied = await migrate({ url, schema: 'klp', migrations });
    expect(applied).toEqual(migrations.map((migration) => new migration().name));
    expect(await tablesIn('klp')).toEqual(
      expect.arrayContaining(['hosts', 'host_patches', 'host_objects', 'host_funcs', 'command_outcomes']),
    );
    expect(await tablesIn('klp')).toEqual(
      expect.arrayContaining(['event_log', 'audit_log', 'projection_offsets', 'host_func_stacks']),
    );

    expect(await migrate({ url, schema: 'klp', migrations })).toEqual([]);

    expect(await revertAll({ url, schema: 'klp', migrations })).toBe(migrations.length);
    expect(await tablesIn('klp')).toEqual(['typeorm_migrations']);
  });

  it('keeps the logs append-only', async () => {
    await migrate({ url, schema: 'klp_append_only', migrations });
    const client = new Client({ connectionString: url, options: '-c search_path=klp_append_only' });
    await client.connect();
    try {
      await client.query(`
        INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type,
                               entity_kind, attribute, from_value, to_value, prev_hash, hash)
        VALUES ('h1', 1, 1, 0, now(), 'ops', 'c1', 'HostBooted', 'host', 'kernelRelease', 'null', '"5.0"', '', 'x')`);
      await expect(client.query(`UPDATE audit_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only/);
      await client.query(`
        INSERT INTO event_log (host_id, version, event_index, type, schema_version, payload, command_id,
                               correlation_id, actor, occurred_at, kafka_partition, kafka_offset)
        VALUES ('h1', 1, 0, 'HostBooted', 1, '{}', 'c1', 'c1', 'ops', now(), 0, 0)`);
      await expect(client.query(`DELETE FROM event_log`)).rejects.toThrow(/append-only/);
      await expect(client.query(`UPDATE event_log SET actor = 'mallory'`)).rejects.toThrow(/append-only/);
      const count = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log`);
      expect(count.rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  });

  it('keeps patch_state_history in step with the patch state records, several to a statement', async () => {
    await migrate({ url, schema: 'klp_state_history', migrations });
    const client = new Client({ connectionString: url, options: '-c search_path=klp_state_history' });
    await client.connect();
    const state = (seq: number, host: string, patch: string, at: string, to: string | null) =>
      `('${host}', ${seq}, ${seq}, 0, '${at}', 'ops', 'c${seq}', 'EnablePatch', 'patch', '${patch}', 'state',
        'null', '${JSON.stringify(to)}', '', '')`;
    const insert = (rows: string[]) =>
      client.query(`INSERT INTO audit_log (host_id, seq, version, record_index, at, actor, command_id, command_type,
                                           entity_kind, patch, attribute, from_value, to_value, prev_hash, hash)
                    VALUES ${rows.join(', ')}`);
    try {
      // One statement: three changes of (h1, p1), one of (h1, p2), and a record that is no state.
      await insert([
        state(1, 'h1', 'p1', '2026-11-01T00:00:01Z', 'disabled'),
        state(2, 'h1', 'p1', '2026-11-01T00:00:02Z', 'transitioning'),
        state(3, 'h1', 'p2', '2026-11-01T00:00:03Z', 'disabled'),
        state(4, 'h1', 'p1', '2026-11-01T00:00:04Z', 'enabled'),
        `('h1', 5, 5, 1, '2026-11-01T00:00:04Z', 'ops', 'c4', 'EnablePatch', 'func', 'p1', 'patched',
          'false', 'true', '', '')`,
      ]);
      // A later statement: p1 closes and reopens; p2 is unregistered (no state after it).
      await insert([
        state(6, 'h1', 'p1', '2026-11-01T00:00:06Z', 'disabled'),
        state(7, 'h1', 'p2', '2026-11-01T00:00:07Z', null),
      ]);
      const { rows } = await client.query<{
        patch: string;
        state: string;
        valid_from: string;
        valid_to: string;
      }>(
        `SELECT patch, state, to_char(valid_from AT TIME ZONE 'UTC', 'SS') AS valid_from,
                CASE WHEN valid_to = 'infinity' THEN 'open' ELSE to_char(valid_to AT TIME ZONE 'UTC', 'SS') END AS valid_to
           FROM patch_state_history ORDER BY patch, from_seq`,
      );
      expect(rows).toEqual([
        { patch: 'p1', state: 'disabled', valid_from: '01', valid_to: '02' },
        { patch: 'p1', state: 'transitioning', valid_from: '02', valid_to: '04' },
        { patch: 'p1', state: 'enabled', valid_from: '04', valid_to: '06' },
        { patch: 'p1', state: 'disabled', valid_from: '06', valid_to: 'open' },
        { patch: 'p2', state: 'disabled', valid_from: '03', valid_to: '07' },
      ]);
    } finally {
      await client.end();
    }
  });
});
