/**
 * `npm run audit:verify`: recomputes every host's hash chain from `audit_log` (ARCHITECTURE.md
 * "Audit"), host by host in seq order through one server-side cursor, so memory holds one host's
 * chain at a time. Prints progress and a summary; exits 1 when any chain is broken.
 * Reads DATABASE_URL and KLP_DB_SCHEMA.
 */
import { Client } from 'pg';
import { z } from 'zod';
import type { AuditRecord } from '@klp/contracts';
import { databaseVariables, loadConfig } from '@klp/config';
import {
  AUDIT_COLUMNS,
  DEFAULT_READ_SCHEMA,
  assertIdentifier,
  auditRecordFromRow,
  chainVerdict,
  type AuditRow,
  type ChainVerdict,
} from '@klp/store';

const config = loadConfig(
  'audit:verify',
  z.object({ ...databaseVariables, KLP_DB_SCHEMA: z.string().default(DEFAULT_READ_SCHEMA) }),
  process.env,
);
const FETCH_ROWS = 5000;
const PROGRESS_EVERY_MS = 2000;

async function main(): Promise<number> {
  const schema = assertIdentifier(config.KLP_DB_SCHEMA, 'schema');
  const client = new Client({
    connectionString: config.DATABASE_URL,
    application_name: 'klp-audit-verify',
    options: `-c search_path=${schema},public`,
  });
  await client.connect();
  const started = Date.now();
  let lastProgress = started;
  let hosts = 0;
  let records = 0;
  const broken: ChainVerdict[] = [];
  let current = null as { hostId: string; records: AuditRecord[] } | null;
  const finish = () => {
    if (!current) return;
    const verdict = chainVerdict(current.hostId, current.records);
    hosts += 1;
    if (!verdict.ok) {
      broken.push(verdict);
      console.log(`BROKEN ${verdict.hostId}: first broken version ${verdict.firstBrokenVersion}`);
    }
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query(
      `DECLARE chains NO SCROLL CURSOR FOR
       SELECT ${AUDIT_COLUMNS} FROM audit_log ORDER BY host_id, seq, at, hash`,
    );
    for (;;) {
      const { rows } = await client.query<AuditRow>(`FETCH ${FETCH_ROWS} FROM chains`);
      if (rows.length === 0) break;
      for (const row of rows) {
        if (current?.hostId !== row.host_id) {
          finish();
          current = { hostId: row.host_id, records: [] };
        }
        current.records.push(auditRecordFromRow(row));
      }
      records += rows.length;
      if (Date.now() - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = Date.now();
        const rate = Math.round(records / ((lastProgress - started) / 1000));
        process.stderr.write(`… ${records} records, ${hosts} hosts checked (${rate} records/s)\n`);
      }
    }
    finish();
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `audit:verify: ${hosts} host(s), ${records} record(s) in ${seconds} s: ` +
      (broken.length === 0 ? 'every chain holds' : `${broken.length} broken chain(s)`),
  );
  return broken.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
