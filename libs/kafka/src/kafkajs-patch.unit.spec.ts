import fs from 'node:fs';

// patches/kafkajs+2.2.4.patch, applied by patch-package on `npm ci` (ADR 0008). If the patch did
// not apply (a kafkajs upgrade, an install without scripts), the decider loses about a third of
// its throughput without any error: this says so instead.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: { key: string; partition: number }[];
  partitioner: (args: { message: { partition: number } }) => number;
}) => Record<string, { key: string }[]>;

describe('kafkajs producer patch', () => {
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId }));
  const partitioner = ({ message }: { message: { partition: number } }) => message.partition;

  it('groups the messages of a send by partition, in send order', () => {
    const messages = ['a', 'b', 'c', 'd', 'e'].map((key, i) => ({ key, partition: i % 3 }));
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner });
    expect(Object.keys(grouped)).toEqual(['0', '1', '2']);
    expect(grouped[0].map((m) => m.key)).toEqual(['a', 'd']);
    expect(grouped[1].map((m) => m.key)).toEqual(['b', 'e']);
    expect(grouped[2].map((m) => m.key)).toEqual(['c']);
  });

  it('keeps one array per partition instead of copying it for every message (the patch is applied)', () => {
    const seen = new Set<unknown>();
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, partition: 1 }));
    const spy = ({ message }: { message: { partition: number } }) => {
      seen.add(message);
      return partitioner({ message });
    };
    const grouped = groupMessagesPerPartition({ topic: 't', partitionMetadata, messages, partitioner: spy });
    expect(grouped[1]).toHaveLength(50);
    expect(seen.size).toBe(50);
    const source = fs.readFileSync(require.resolve('kafkajs/src/producer/groupMessagesPerPartition'), 'utf8');
    expect(source).toContain('klp-fleet patch');
  });
});
