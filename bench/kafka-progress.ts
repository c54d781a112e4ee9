import type { Admin, Kafka } from 'kafkajs';
import type { CommandEnvelope } from '@klp/contracts';

/** Produces `count` commands of the workload to `topic`, keyed by host, as fast as the broker takes them. */
export async function preload(
  kafka: Kafka,
  topic: string,
  commands: Iterator<CommandEnvelope>,
  count: number,
): Promise<number> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  let sent = 0;
  try {
    while (sent < count) {
      const messages = [];
      for (let i = 0; i < 5000 && sent + messages.length < count; i++) {
        const next = commands.next();
        if (next.done) break;
        messages.push({ key: next.value.hostId, value: JSON.stringify(next.value) });
      }
      if (messages.length === 0) break;
      await producer.send({ topic, acks: -1, messages });
      sent += messages.length;
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/**
 * Offsets a consumer group has committed on a topic, summed over partitions. A fresh broker loads
 * its group coordinators lazily and answers NOT_COORDINATOR meanwhile: retriable errors are retried.
 */
export async function committed(
  admin: Admin,
  groupId: string,
  topic: string,
  attempts = 20,
): Promise<number> {
  let offsets;
  try {
    [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  } catch (error) {
    const retriable = (error as { retriable?: boolean }).retriable === true;
    if (!retriable || attempts <= 1) throw error;
    await new Promise((resolve) => setTimeout(resolve, 500));
    return committed(admin, groupId, topic, attempts - 1);
  }
  return (offsets?.partitions ?? []).reduce(
    (sum, partition) => sum + Math.max(0, Number(partition.offset)),
    0,
  );
}

/**
 * Records per second a group commits while it has a backlog, measured from outside the process:
 * samples every 500 ms from the first commit; the rate is the slope from the end of the warm-up
 * (assignment, recovery, JIT) to the last sample, or to the moment the backlog drained. A run that
 * drains within the warm-up is measured from its first commit.
 */
export function sustainedRate(
  admin: Admin,
  groupId: string,
  topic: string,
  options: RateOptions,
): Promise<{ rate: number; drained: boolean }> {
  return sampledRate(() => committed(admin, groupId, topic), groupId, options);
}

export interface RateOptions {
  warmupSeconds: number;
  seconds: number;
  total: number;
  onTick?: (done: number) => void;
}

type Sample = { at: number; count: number };

/** The same measurement over any monotonic counter (e.g. the projector's stored offsets). */
export async function sampledRate(
  sample: () => Promise<number>,
  what: string,
  options: RateOptions,
): Promise<{ rate: number; drained: boolean; samples: Sample[] }> {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const deadline = Date.now() + (options.warmupSeconds + 120) * 1000;
  let count = await sample();
  while (count === 0) {
    if (Date.now() > deadline) throw new Error(`${what} made no progress within the warm-up`);
    await sleep(250);
    count = await sample();
  }
  const first = Date.now();
  const samples = [{ at: first, count }];
  const end = first + (options.warmupSeconds + options.seconds) * 1000;
  while (Date.now() < end && count < options.total) {
    await sleep(500);
    count = await sample();
    samples.push({ at: Date.now(), count });
    options.onTick?.(count);
  }
  const last = samples[samples.length - 1];
  const afterWarmup = samples.find((sample) => sample.at >= first + options.warmupSeconds * 1000);
  const start = afterWarmup && afterWarmup !== last ? afterWarmup : samples[0];
  return { rate: slope(start, last), drained: count >= options.total, samples };
}

/** Counts per second from one sample to a later one (0 when they coincide). */
const slope = (start: Sample, end: Sample) =>
  end.at > start.at ? ((end.count - start.count) * 1000) / (end.at - start.at) : 0;

/** The slope of `samples` over `seconds` from the first one at or after `from` (ms since epoch). */
export function windowRate(samples: readonly Sample[], from: number, seconds: number): number {
  const start = samples.find((sample) => sample.at >= from) ?? samples[0];
  const inWindow = samples.filter((sample) => sample.at <= start.at + seconds * 1000);
  return slope(start, inWindow[inWindow.length - 1]);
}
