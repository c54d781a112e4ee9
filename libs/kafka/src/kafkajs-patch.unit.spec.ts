import { randomBytes } from 'node:crypto';
import fs from 'node:fs';

// patches/kafkajs+2.2.4.patch, applied by patch-package on `npm ci` (ADR 0008). If the patch did
// not apply (a kafkajs upgrade, an install without scripts), the decider loses much of its
// throughput without any error: this says so instead, and checks the patched code's results.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const groupMessagesPerPartition = require('kafkajs/src/producer/groupMessagesPerPartition') as (args: {
  topic: string;
  partitionMetadata: { partitionId: number }[];
  messages: { key: string; partition: number }[];
  partitioner: (args: { message: { partition: number } }) => number;
}) => Record<string, { key: string }[]>;

// eslint-disable-next-line @typescript-eslint/no-require-imports
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (buffer: Buffer) => number;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Encoder = require('kafkajs/src/protocol/encoder') as new (size?: number) => {
  writeVarIntBytes(value: Buffer): unknown;
  buffer: Buffer;
};

/** CRC-32C bit by bit, from its definition (reflected polynomial 0x82F63B78): the reference. */
function crc32CReference(buffer: Buffer): number {
  let crc = ~0;
  for (const byte of buffer) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

const patched = (modulePath: string) =>
  fs.readFileSync(require.resolve(`kafkajs/src/${modulePath}`), 'utf8').includes('klp-fleet patch');

describe('kafkajs protocol patch', () => {
  it('computes CRC-32C: the check value, and the reference over every length up to 64 and random buffers', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
    for (let length = 0; length <= 64; length++) {
      const buffer = Buffer.from(Array.from({ length }, (_, i) => (i * 37 + length) & 0xff));
      expect(crc32C(buffer)).toBe(crc32CReference(buffer));
    }
    for (let run = 0; run < 50; run++) {
      const buffer = randomBytes(1 + Math.floor(Math.random() * 3000));
      expect(crc32C(buffer)).toBe(crc32CReference(buffer));
    }
  });

  it('encodes only what was written, whatever the unzeroed buffer held', () => {
    const value = randomBytes(5000);
    const encoder = new Encoder(16);
    encoder.writeVarIntBytes(value);
    expect(encoder.buffer.subarray(encoder.buffer.length - value.length)).toEqual(value);
  });

  it('is applied (slicing-by-8 CRC, unzeroed encoder buffers, sized records, no message spread)', () => {
    expect(patched('protocol/recordBatch/crc32C/crc32C.js')).toBe(true);
    expect(patched('protocol/encoder.js')).toBe(true);
    expect(patched('protocol/recordBatch/record/v0/index.js')).toBe(true);
    expect(patched('protocol/requests/produce/v3/request.js')).toBe(true);
  });
});

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
