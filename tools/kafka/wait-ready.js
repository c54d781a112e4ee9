'use strict';
// Readiness probe for the local Kafka broker, built on the kafkajs admin client that the apps use:
// the broker counts as ready once `admin.describeCluster()` answers with at least one broker.
//
// CLI (used by kafka-up.sh):
//   node tools/kafka/wait-ready.js --brokers 127.0.0.1:19092 [--timeout 90000] [--pid 1234]
//   exit 0 = ready, 1 = timed out, 2 = the broker process (--pid) exited, 3 = kafkajs missing.
// Library (used by broker.js): { isReachable(brokers, timeoutMs), waitReady({ brokers, timeoutMs, pid }) }.
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '../..');

function loadKafkajs() {
  // Resolve from the repository's node_modules, wherever this file is required from.
  return require(require.resolve('kafkajs', { paths: [repoRoot, process.cwd()] }));
}

/** @param {string | string[]} brokers */
function toList(brokers) {
  const list = (Array.isArray(brokers) ? brokers : String(brokers).split(','))
    .map((b) => b.trim())
    .filter(Boolean);
  if (list.length === 0) throw new Error('no Kafka brokers given');
  return list;
}

/**
 * Can a kafkajs admin client describe the cluster within timeoutMs?
 * Never throws; always disconnects and clears its timer (so it is safe in Jest global setup).
 * @param {string | string[]} brokers e.g. ['127.0.0.1:19092'] or '127.0.0.1:19092,127.0.0.1:19093'
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
async function isReachable(brokers, timeoutMs = 3000) {
  const { Kafka, logLevel } = loadKafkajs();
  const kafka = new Kafka({
    clientId: 'klp-kafka-probe',
    brokers: toList(brokers),
    logLevel: logLevel.NOTHING,
    connectionTimeout: Math.min(timeoutMs, 3000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const probe = (async () => {
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return Array.isArray(cluster.brokers) && cluster.brokers.length > 0;
    } catch {
      return false;
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
    await admin.disconnect().catch(() => undefined);
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Poll until the cluster can be described. Rejects on timeout, or as soon as `pid` (the broker
 * process we started, if any) has exited.
 * @param {{ brokers: string | string[], timeoutMs?: number, pid?: number, intervalMs?: number }} options
 * @returns {Promise<number>} milliseconds waited
 */
async function waitReady({ brokers, timeoutMs = 90_000, pid, intervalMs = 500 }) {
  const list = toList(brokers);
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    if (pid && !processAlive(pid)) {
      const error = new Error(`the Kafka broker process ${pid} exited before it became ready`);
      error.code = 'BROKER_EXITED';
      throw error;
    }
    const left = deadline - Date.now();
    if (await isReachable(list, Math.max(500, Math.min(3000, left)))) return Date.now() - started;
    if (Date.now() + intervalMs > deadline) {
      const error = new Error(`Kafka at ${list.join(',')} not ready after ${Math.round(timeoutMs / 1000)} s`);
      error.code = 'TIMEOUT';
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function parseArgs(argv) {
  const args = { brokers: process.env.KAFKA_BROKERS || '127.0.0.1:19092', timeoutMs: 90_000, pid: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--brokers') args.brokers = value;
    else if (flag === '--timeout') args.timeoutMs = Number(value);
    else if (flag === '--pid') args.pid = Number(value);
    else throw new Error(`unknown argument ${flag}`);
    i += 1;
  }
  if (!Number.isFinite(args.timeoutMs) || args.timeoutMs <= 0)
    throw new Error('--timeout must be milliseconds > 0');
  return args;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  try {
    loadKafkajs();
  } catch {
    process.stderr.write('[kafka] kafkajs is not installed in node_modules; run `npm ci` first\n');
    return 3;
  }
  try {
    const waited = await waitReady(args);
    process.stderr.write(
      `[kafka] ${args.brokers} answers describeCluster (waited ${(waited / 1000).toFixed(1)} s)\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`[kafka] ${error.message}\n`);
    return error.code === 'BROKER_EXITED' ? 2 : 1;
  }
}

module.exports = { isReachable, waitReady };

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`[kafka] ${error.stack || error}\n`);
      process.exit(1);
    },
  );
}
