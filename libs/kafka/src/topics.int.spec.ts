import { type Admin } from 'kafkajs';
import { createKafka } from './client';
import { TOPIC_SPECS, TopicMismatchError, provisionTopics, topicNames } from './topics';

const prefix = `topics-spec-${Date.now().toString(36)}.`;

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

describe('provisionTopics against the real broker', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = createKafka({ brokers, clientId: 'topics-int-spec', logLevel: 'nothing' }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: Object.values(topicNames(prefix)) }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates the missing topics, then finds them on a second run with nothing to do', async () => {
    const names = topicNames(prefix);
    const first = await provisionTopics(admin, { partitions: 12, prefix });
    expect(first.created.sort()).toEqual(TOPIC_SPECS.map((spec) => prefix + spec.name).sort());
    const second = await provisionTopics(admin, { partitions: 12, prefix });
    expect(second.created).toEqual([]);
    expect(second.existing.length).toBe(TOPIC_SPECS.length);
    const metadata = await admin.fetchTopicMetadata({ topics: [names.events, names.snapshots] });
    expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual([12, 12]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: names.snapshots, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0].configEntries[0].configValue).toBe('compact');
  });

  it('stops the boot when the partition count differs from KLP_PARTITIONS', async () => {
    await provisionTopics(admin, { partitions: 12 });
    await expect(provisionTopics(admin, { partitions: 7 })).rejects.toThrow(TopicMismatchError);
    await expect(provisionTopics(admin, { partitions: 7 })).rejects.toThrow(
      /klp\.commands has 12 partitions/,
    );
  });
});
