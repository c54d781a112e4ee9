import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { provisionTopics, topicNames } from '@klp/kafka';
import { preload, sustainedRate } from './kafka-progress';
import { operationsWorkload } from './workload';

const root = path.resolve(__dirname, '..');

export interface ThroughputRun {
  rate: number;
  drained: boolean;
}

export function spawnTs(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', path.join(root, 'tools/register.js'), path.join(root, script), ...args],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  child.stderr?.on('data', (chunk: Buffer) =>
    process.stderr.write(`  [${path.basename(script)}] ${chunk.toString()}`),
  );
  return child;
}

export async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/**
 * One measurement of either the decider or the raw kafkajs baseline: fresh topics, a full backlog
 * of the same seeded workload, then the committed-offset rate the process sustains.
 */
export async function measureThroughput(
  kafka: Kafka,
  brokers: string[],
  subject: 'decider' | 'raw',
  options: { records: number; seconds: number; seed: number; hosts: number },
): Promise<ThroughputRun> {
  const prefix = `bench-${subject}-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const admin = kafka.admin();
  await admin.connect();
  let child: ChildProcess | undefined;
  try {
    await provisionTopics(admin, { partitions: 12, prefix });
    const loaded = await preload(
      kafka,
      topics.commands,
      operationsWorkload(options.hosts, options.seed),
      options.records,
    );
    const group = subject === 'decider' ? `${prefix}klp-decider` : `${prefix}raw`;
    child =
      subject === 'decider'
        ? spawnTs('apps/decider/src/main.ts', [], {
            ...process.env,
            KAFKA_BROKERS: brokers.join(','),
            KLP_TOPIC_PREFIX: prefix,
            KLP_PARTITIONS: '12',
            LOG_LEVEL: 'warn',
          })
        : spawnTs(
            'bench/raw-kafka-txn.ts',
            [brokers.join(','), topics.commands, topics.events, group],
            process.env,
          );
    return await sustainedRate(admin, group, topics.commands, {
      warmupSeconds: 5,
      seconds: options.seconds,
      total: loaded,
      onTick: (done) => process.stderr.write(`\r  ${subject}: ${done}/${loaded} committed   `),
    });
  } finally {
    process.stderr.write('\n');
    if (child) await stop(child);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}
