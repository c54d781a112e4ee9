import type { DeadLetter } from '@klp/contracts';
import type { Message } from 'kafkajs';

/** A record as it came off a topic, before anyone trusted it. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/**
 * At most this much of a poison value is kept: the dead letter must itself fit in a record batch,
 * or the transaction carrying it would fail forever and block the partition it came from.
 */
export const DEAD_LETTER_MAX_VALUE_BYTES = 256 * 1024;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isText(bytes: Buffer | null): boolean {
  if (bytes === null) return true;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The DeadLetter of a record that could not be parsed, validated or decided: the original key and
 * value as text, or both in base64 when either is not valid UTF-8, with why and where from.
 */
export function deadLetterOf(record: SourceRecord, error: string, app: string, at: Date): DeadLetter {
  const { value } = record;
  const truncated = value !== null && value.length > DEAD_LETTER_MAX_VALUE_BYTES;
  let kept = value;
  if (value !== null && truncated) {
    // Cut at a character boundary when the value is text (up to 3 bytes of a split UTF-8 sequence).
    const cut = [0, 1, 2, 3]
      .map((back) => value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES - back))
      .find((candidate) => isText(candidate));
    kept = cut ?? value.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES);
  }
  const text = isText(record.key) && isText(kept);
  const encode = (bytes: Buffer | null) =>
    bytes === null ? null : text ? bytes.toString('utf8') : bytes.toString('base64');
  return {
    schemaVersion: 1,
    sourceTopic: record.topic,
    sourcePartition: record.partition,
    sourceOffset: record.offset,
    key: encode(record.key),
    value: encode(kept),
    valueEncoding: text ? 'utf8' : 'base64',
    error: truncated ? `${error} (value truncated to its first ${kept?.length} bytes)` : error,
    app,
    at: at.toISOString(),
  };
}

/** The klp.dlq record of a dead letter: keyed like its source so one host's letters stay in order. */
export function deadLetterMessage(letter: DeadLetter, source: SourceRecord): Message {
  return {
    key: source.key,
    value: JSON.stringify(letter),
    headers: { 'klp-source': `${source.topic}/${source.partition}/${source.offset}` },
  };
}
