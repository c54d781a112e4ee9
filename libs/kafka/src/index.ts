export { createKafka, type KafkaOptions } from './client';
export {
  TOPIC,
  TOPIC_SPECS,
  TopicMismatchError,
  provisionTopics,
  createTopicsAndWait,
  fetchMetadataOnceKnown,
  topicNames,
  type TopicNames,
  type ProvisionResult,
  type TopicName,
} from './topics';
export {
  PartitionReader,
  type OffsetRange,
  type PartitionReaderOptions,
  type RecordSink,
} from './partition-reader';
export {
  MAX_BATCH_BYTES,
  beginFencing,
  chunkBySize,
  createTransactionalProducer,
  isFencedError,
  sendInChunks,
  type PartitionMessages,
} from './transactional-batch';
export {
  DEAD_LETTER_MAX_VALUE_BYTES,
  deadLetterMessage,
  deadLetterOf,
  type SourceRecord,
} from './dead-letter';
