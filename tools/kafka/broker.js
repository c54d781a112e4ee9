'use strict';
// Node entry to the local Kafka broker, for Jest's global setup and `npm start`:
//
//   const { ensureBroker } = require('./tools/kafka/broker');
//   const broker = await ensureBroker();          // { brokers, startedByUs, stop }
//   ...
//   await broker.stop();                          // stops it only if we started it
//
// Order: KAFKA_BROKERS (wait until reachable, never start anything) -> a broker already answering
// on 127.0.0.1:<port> (reuse) -> `bash tools/kafka/kafka-up.sh` (fetch, format, start, wait).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { isReachable, waitReady } = require('./wait-ready');

const DEFAULT_PORT = 19092;

function runScript(script, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(__dirname, script), ...args], {
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`tools/kafka/${script} failed (${signal ? `signal ${signal}` : `exit code ${code}`})`),
        );
    });
  });
}

/**
 * Make sure a Kafka broker is reachable and say how to reach it.
 * @param {{ port?: number, version?: string, timeoutMs?: number }} [options]
 *   port: local broker port (default KAFKA_PORT or 19092); version: KAFKA_VERSION for a broker we
 *   start (default: tools/kafka/lib.sh); timeoutMs: how long to wait for KAFKA_BROKERS (90 s).
 * @returns {Promise<{ brokers: string[], startedByUs: boolean, stop: () => Promise<void> }>}
 */
async function ensureBroker({ port, version, timeoutMs = 90_000 } = {}) {
  const noop = async () => undefined;

  const configured = (process.env.KAFKA_BROKERS || '').trim();
  if (configured) {
    const brokers = configured
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean);
    try {
      await waitReady({ brokers, timeoutMs });
    } catch (error) {
      throw new Error(`KAFKA_BROKERS=${configured} is set but not reachable: ${error.message}`);
    }
    return { brokers, startedByUs: false, stop: noop };
  }

  const localPort = Number(port ?? process.env.KAFKA_PORT ?? DEFAULT_PORT);
  if (!Number.isInteger(localPort) || localPort <= 0 || localPort > 65535) {
    throw new Error(`invalid Kafka port ${port ?? process.env.KAFKA_PORT}`);
  }
  const brokers = [`127.0.0.1:${localPort}`];
  if (await isReachable(brokers, 2000)) return { brokers, startedByUs: false, stop: noop };

  const statusFile = path.join(os.tmpdir(), `klp-kafka-up-${process.pid}-${Date.now()}.status`);
  const env = { ...process.env, KAFKA_PORT: String(localPort), KAFKA_UP_STATUS_FILE: statusFile };
  if (version) env.KAFKA_VERSION = version;
  let status;
  try {
    await runScript('kafka-up.sh', [], env);
    status = fs.readFileSync(statusFile, 'utf8').trim();
  } finally {
    fs.rmSync(statusFile, { force: true });
  }
  delete env.KAFKA_UP_STATUS_FILE;
  // Someone else started it between our probe and kafka-up.sh: theirs to stop, not ours.
  if (status !== 'started') return { brokers, startedByUs: false, stop: noop };

  let stopping;
  const stop = () => {
    stopping ??= runScript('kafka-down.sh', [], env);
    return stopping;
  };
  return { brokers, startedByUs: true, stop };
}

module.exports = { ensureBroker, isReachable };
