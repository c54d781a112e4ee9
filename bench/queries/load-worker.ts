import { parentPort, workerData } from 'node:worker_threads';
import { Client } from 'pg';
import { AUDIT_LOG, EVENT_LOG } from '../../libs/store/src/projection/tables';
import type { WorkerInput } from './dataset';
import { auditRows, copyTable, eventRows } from './stamp';

/** One log loader: its shard's event_log, then its audit_log, by COPY on a connection of its own. */
async function main(input: WorkerInput): Promise<void> {
  const client = new Client({ connectionString: input.url, options: '-c search_path=klp' });
  await client.connect();
  try {
    // No row triggers (the patch-state trigger): the main thread loads patch_state_history itself.
    await client.query(`SET session_replication_role = replica`);
    const event_log = await copyTable(client, EVENT_LOG, eventRows(input.plan, input.shard, input.shards));
    const audit_log = await copyTable(client, AUDIT_LOG, auditRows(input.plan, input.shard, input.shards));
    parentPort?.postMessage({ event_log, audit_log });
  } finally {
    await client.end();
  }
}

main(workerData as WorkerInput).catch((error: unknown) => {
  throw error;
});
