export { createKafka, type KafkaOptions } from './client';
export {
  TOPIC,
  TOPIC_SPECS,
  TopicMismatchError,
  provisionTopics,
  type ProvisionResult,
  type TopicName,
} from './topics';
