import type { Admin, ITopicConfig } from 'kafkajs';

const DAY_MS = 24 * 60 * 60 * 1000;

export const TOPIC = {
  commands: 'klp.commands',
  events: 'klp.events',
  audit: 'klp.audit',
  snapshots: 'klp.snapshots',
  dlq: 'klp.dlq',
} as const;
export type TopicName = (typeof TOPIC)[keyof typeof TOPIC];
export type TopicNames = { readonly [K in keyof typeof TOPIC]: string };

/**
 * The topic names under a prefix (KLP_TOPIC_PREFIX), so that several stacks, or several test runs,
 * can share one broker without meeting. Consumer groups take the same prefix.
 */
export function topicNames(prefix = ''): TopicNames {
  return {
    commands: prefix + TOPIC.commands,
    events: prefix + TOPIC.events,
    audit: prefix + TOPIC.audit,
    snapshots: prefix + TOPIC.snapshots,
    dlq: prefix + TOPIC.dlq,
  };
}

interface TopicSpec {
  name: string;
  /** Co-partitioned topics share KLP_PARTITIONS so that one host lives in the same partition everywhere. */
  coPartitioned: boolean;
  config: Record<string, string>;
}

// Retention from ARCHITECTURE.md, "Topics": events and audit are the source of truth, kept forever.
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { name: TOPIC.commands, coPartitioned: true, config: { 'retention.ms': String(7 * DAY_MS) } },
  { name: TOPIC.events, coPartitioned: true, config: { 'retention.ms': '-1', 'retention.bytes': '-1' } },
  { name: TOPIC.audit, coPartitioned: true, config: { 'retention.ms': '-1', 'retention.bytes': '-1' } },
  {
    name: TOPIC.snapshots,
    coPartitioned: true,
    config: { 'cleanup.policy': 'compact', 'min.compaction.lag.ms': '0', 'segment.ms': String(DAY_MS) },
  },
  { name: TOPIC.dlq, coPartitioned: false, config: { 'retention.ms': String(30 * DAY_MS) } },
];

export class TopicMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Kafka topics do not match this configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'Co-partitioned topics must all have KLP_PARTITIONS partitions: fix KLP_PARTITIONS or recreate the topics.',
    );
    this.name = 'TopicMismatchError';
  }
}

export interface ProvisionResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the missing topics and checks the existing ones. Idempotent, so every app may call it at
 * boot; a partition count that differs from KLP_PARTITIONS stops the boot, because keying by host
 * would then send a host's commands and events to partitions that no longer line up.
 */
export async function provisionTopics(
  admin: Admin,
  options: { partitions: number; replicationFactor?: number; dlqPartitions?: number; prefix?: string },
): Promise<ProvisionResult> {
  const prefix = options.prefix ?? '';
  const specs = TOPIC_SPECS.map((spec) => ({ ...spec, name: prefix + spec.name }));
  const existingNames = new Set(await admin.listTopics());
  const partitionsOf = (spec: TopicSpec) =>
    spec.coPartitioned ? options.partitions : (options.dlqPartitions ?? Math.min(options.partitions, 3));
  const missing = specs.filter((spec) => !existingNames.has(spec.name));
  if (missing.length > 0) {
    const topics: ITopicConfig[] = missing.map((spec) => ({
      topic: spec.name,
      numPartitions: partitionsOf(spec),
      replicationFactor: options.replicationFactor ?? 1,
      configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
    }));
    // Leaders are awaited below, by a wait that also knows a just-created topic may still be
    // unknown to the broker's metadata cache (kafkajs' own wait gives up on that at once).
    await admin.createTopics({ topics, waitForLeaders: false }).catch((error: unknown) => {
      // Another app created them at the same moment: what matters is that they exist now.
      if (!isAlreadyExists(error)) throw error;
    });
  }
  const metadata = await fetchMetadataOnceKnown(
    admin,
    specs.map((spec) => spec.name),
  );
  const problems = metadata.topics.flatMap((topic) => {
    const spec = specs.find((candidate) => candidate.name === topic.name);
    if (!spec?.coPartitioned || topic.partitions.length === options.partitions) return [];
    return [
      `${topic.name} has ${topic.partitions.length} partitions, KLP_PARTITIONS is ${options.partitions}`,
    ];
  });
  if (problems.length > 0) throw new TopicMismatchError(problems);
  const present = specs.filter((spec) => existingNames.has(spec.name));
  return { created: missing.map((spec) => spec.name), existing: present.map((spec) => spec.name) };
}

/**
 * Creates topics and waits until every partition has a leader. kafkajs' own `waitForLeaders`
 * gives up at once on UNKNOWN_TOPIC_OR_PARTITION, which a fresh KRaft broker answers for a
 * topic it created a moment ago; this waits for it, boundedly.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[]): Promise<void> {
  await admin.createTopics({ topics, waitForLeaders: false }).catch((error: unknown) => {
    if (!isAlreadyExists(error)) throw error;
  });
  await fetchMetadataOnceKnown(
    admin,
    topics.map((topic) => topic.topic),
  );
}

/**
 * A topic that another app created a moment ago may be listed before every broker's metadata
 * knows it (UNKNOWN_TOPIC_OR_PARTITION); apps boot together, so give it a few seconds.
 */
export async function fetchMetadataOnceKnown(
  admin: Admin,
  topics: string[],
): ReturnType<Admin['fetchTopicMetadata']> {
  const deadline = Date.now() + 15_000;
  for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics });
      const leaderless = metadata.topics.some((topic) =>
        topic.partitions.some((partition) => partition.leader < 0),
      );
      if (!leaderless || Date.now() > deadline) return metadata;
    } catch (error) {
      const type = (error as { type?: string }).type;
      const retriable = type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
      if (!retriable || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

function isAlreadyExists(error: unknown): boolean {
  const { type, errors } = error as { type?: string; errors?: Array<{ type?: string }> };
  if (type === 'TOPIC_ALREADY_EXISTS') return true;
  return (
    Array.isArray(errors) && errors.length > 0 && errors.every((item) => item.type === 'TOPIC_ALREADY_EXISTS')
  );
}
