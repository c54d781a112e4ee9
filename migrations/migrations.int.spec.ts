import { Client } from 'pg';
import { ensureDatabase, migrate, revertAll } from '@klp/store';
import { migrations } from './index';

// Every migration applies to a fresh database and reverts cleanly (STYLE.md, "Data").
const serverUrl = process.env.KLP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `klp_migrations_${process.pid}_${Date.now()}`;
const url = (() => {
  const target = new URL(serverUrl);
  target.pathname = `/${database}`;
  return target.toString();
})();

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

  afterAll(async () => {
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

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
});
