/**
 * `npm run db:migrate [-- --revert]`: creates the database when missing and applies every
 * migration in `migrations/` (or reverts them all). Reads DATABASE_URL and KLP_DB_SCHEMA.
 */
import { z } from 'zod';
import { databaseVariables, loadConfig } from '@klp/config';
import { DEFAULT_READ_SCHEMA, ensureDatabase, migrate, revertAll } from '@klp/store';
import { migrations } from '../../migrations';

const config = loadConfig(
  'db:migrate',
  z.object({ ...databaseVariables, KLP_DB_SCHEMA: z.string().default(DEFAULT_READ_SCHEMA) }),
  process.env,
);

async function main(): Promise<void> {
  const target = { url: config.DATABASE_URL, schema: config.KLP_DB_SCHEMA, migrations };
  const { created } = await ensureDatabase(config.DATABASE_URL);
  if (created) console.log(`created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  if (process.argv.includes('--revert')) {
    console.log(`reverted ${await revertAll(target)} migration(s)`);
    return;
  }
  const applied = await migrate(target);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
