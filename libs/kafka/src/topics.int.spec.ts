import { type Admin } from 'kafkajs';
import { createKafka } from './client';
import { TOPIC_SPECS, TopicMismatchError, provisionTopics } from './topics';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');

describe('provisionTopics against the real broker', () => {
  let admin: Admin;

  beforeAll(async () => {
    admin = createKafka({ brokers, clientId: 'topics-int-spec', logLevel: 'nothing' }).admin();
    await admin.connect();
  });
  afterAll(async () => {
    await admin.disconnect();
  });

  it('creates the missing topics, then finds them on a second run with nothing to do', async () => {
    const first = await provisionTopics(admin, { partitions: 12 });
    expect([...first.created, ...first.existing].sort()).toEqual(TOPIC_SPECS.map((spec) => spec.name).sort());
    const second = await provisionTopics(admin, { partitions: 12 });
    expect(second.created).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: ['klp.events', 'klp.snapshots'] });
    expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual([12, 12]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: 'klp.snapshots', configNames: ['cleanup.policy'] }],
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
