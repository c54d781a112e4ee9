// Integration and e2e tiers talk to a real Kafka broker and a real Postgres server. This attaches
// to running ones (KAFKA_BROKERS / the local broker port, KLP_TEST_DATABASE_URL / 127.0.0.1:5432)
// or starts the broker itself; it fails loudly rather than letting a suite pass without them.
'use strict';
require('./setup-env');
const { Client } = require('pg');
const { ensureBroker } = require('../kafka/broker');

module.exports = async function intGlobalSetup() {
  const databaseUrl = process.env.KLP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `Integration tests need Postgres at ${databaseUrl} (set KLP_TEST_DATABASE_URL): ${error.message}\n` +
        `Start the local server with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  process.env.KLP_TEST_DATABASE_URL = databaseUrl;

  const broker = await ensureBroker();
  process.env.KAFKA_BROKERS = broker.brokers.join(',');
  globalThis.__klpBroker = broker;
};
