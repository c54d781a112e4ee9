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
