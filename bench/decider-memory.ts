import fs from 'node:fs';
import type { Kafka } from 'kafkajs';
import { provisionTopics, topicNames } from '@klp/kafka';
import { spawnTs, stop } from './decider.bench';
import { preload, sustainedRate } from './kafka-progress';
import { operationsWorkload } from './workload';

export interface MemoryRun {
  hosts: number;
  commandsPerHost: number;
  rssMb: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/**
 * The decider's resident memory once it holds `hosts` hosts: the first `commandsPerHost` commands
 * of each host's operations script (boot, two registered patches, an enable in transition) are
 * decided, then the RSS of the idle process is read (the lowest of a few samples, after GC had time).
 */
export async function measureDeciderMemory(
  kafka: Kafka,
  brokers: string[],
  options: { hosts: number; commandsPerHost: number },
): Promise<MemoryRun> {
  const prefix = `bench-memory-${Date.now().toString(36)}.`;
  const topics = topicNames(prefix);
  const admin = kafka.admin();
  await admin.connect();
  const child = { current: undefined as ReturnType<typeof spawnTs> | undefined };
  try {
    await provisionTopics(admin, { partitions: 12, prefix });
    const total = options.hosts * options.commandsPerHost;
    const loaded = await preload(kafka, topics.commands, operationsWorkload(options.hosts, 1), total);
    child.current = spawnTs('apps/decider/src/main.ts', [], {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      KLP_TOPIC_PREFIX: prefix,
      KLP_PARTITIONS: '12',
      LOG_LEVEL: 'warn',
    });
    await sustainedRate(admin, `${prefix}klp-decider`, topics.commands, {
      warmupSeconds: 0,
      seconds: 3600,
      total: loaded,
      onTick: (done) =>
        process.stderr.write(`\r  decider memory, ${options.hosts} hosts: ${done}/${loaded}   `),
    });
    const pid = child.current.pid!;
    const samples: number[] = [];
    for (let i = 0; i < 6; i++) {
      await sleep(1000);
      samples.push(rssMb(pid));
    }
    return { hosts: options.hosts, commandsPerHost: options.commandsPerHost, rssMb: Math.min(...samples) };
  } finally {
    process.stderr.write('\n');
    if (child.current) await stop(child.current);
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}
