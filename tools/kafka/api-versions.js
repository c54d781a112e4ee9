'use strict';
// Which protocol version kafkajs negotiates with a broker, per API, and where they have none in
// common. Used to check a new Kafka release against kafkajs 2.2.4 (see README, "Kafka 4.x").
// Reads kafkajs internals (src/), so it is tied to the pinned kafkajs version.
//
//   node tools/kafka/api-versions.js 127.0.0.1:19092
const path = require('node:path');

const src = path.join(
  path.dirname(require.resolve('kafkajs/package.json', { paths: [path.resolve(__dirname, '../..')] })),
  'src',
);
const Broker = require(path.join(src, 'broker'));
const ConnectionPool = require(path.join(src, 'network/connectionPool'));
const { createLogger, LEVELS } = require(path.join(src, 'loggers'));
const LoggerConsole = require(path.join(src, 'loggers/console'));
const socketFactory = require(path.join(src, 'network/socketFactory'))();
const apiKeys = require(path.join(src, 'protocol/requests/apiKeys'));
const { requests } = require(path.join(src, 'protocol/requests'));

async function main(address) {
  const [host, port] = address.split(':');
  const logger = createLogger({ level: LEVELS.NOTHING, logCreator: LoggerConsole });
  const connectionPool = new ConnectionPool({
    host,
    port: Number(port),
    logger,
    clientId: 'klp-api-versions',
    connectionTimeout: 3000,
    requestTimeout: 5000,
    enforceRequestTimeout: true,
    socketFactory,
  });
  const broker = new Broker({ connectionPool, logger, allowAutoTopicCreation: false });
  await broker.connect();
  let incompatible = 0;
  try {
    for (const [name, definition] of Object.entries(requests)) {
      const key = apiKeys[name];
      const client = (definition && definition.versions ? definition.versions : []).map(Number);
      if (key === undefined || client.length === 0) continue; // not implemented by kafkajs
      const offered = broker.versions[key];
      const common = offered ? client.filter((v) => v >= offered.minVersion && v <= offered.maxVersion) : [];
      const used = common.length ? `v${Math.max(...common)}` : 'NONE';
      if (!common.length) incompatible += 1;
      const range = offered ? `v${offered.minVersion}-${offered.maxVersion}` : 'not offered';
      console.log(
        `${name.padEnd(28)} kafkajs v${Math.min(...client)}-${Math.max(...client)}  broker ${range.padEnd(12)} used ${used}`,
      );
    }
  } finally {
    await broker.disconnect();
  }
  return incompatible === 0 ? 0 : 1;
}

main(process.argv[2] || process.env.KAFKA_BROKERS?.split(',')[0] || '127.0.0.1:19092').then(
  (code) => process.exit(code),
  (error) => {
    console.error(error.message);
    process.exit(2);
  },
);
