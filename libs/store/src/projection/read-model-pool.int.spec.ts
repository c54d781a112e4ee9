import { Client } from 'pg';
import { ensureDatabase } from '../database';
import { scratchDatabase } from '../testing/scratch-database';
import { createReadModelPool } from './read-model-pool';

// A Postgres restart ends every connection, checked out or idle. The query in flight must fail,
// and nothing may be raised as an unhandled 'error' (it killed the projector under the fault suite).
const database = scratchDatabase('pool');
const { url } = database;

beforeAll(async () => {
  await ensureDatabase(url);
});

afterAll(() => database.drop());

describe('the read model pool', () => {
  it('survives the server ending a checked-out connection: the query fails, the next one gets a new connection', async () => {
    const pool = createReadModelPool({ url, max: 1, applicationName: 'spec-pool-terminated' });
    const uncaught: Error[] = [];
    const onUncaught = (error: Error) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      const client = await pool.connect();
      const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const sleeping = client.query('SELECT pg_sleep(5)');
      await admin.query('SELECT pg_sleep(0.2)');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const failure = await sleeping.then(
        () => null,
        (error: Error) => error,
      );
      expect(failure?.message).toMatch(/terminat|Connection|ECONNRESET/i);
      // Let the socket's own error and close events run before looking.
      await new Promise((resolve) => setTimeout(resolve, 200));
      client.release(failure ?? undefined);
      expect(uncaught).toEqual([]);
      const { rows } = await pool.query<{ one: number }>('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await admin.end();
      await pool.end();
    }
  });
});
