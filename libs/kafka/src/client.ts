import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  /** Where kafkajs' own log lines go; by default only errors, to stderr. */
  log?: (entry: { level: 'error' | 'warn' | 'info' | 'debug'; message: string; extra: object }) => void;
  logLevel?: 'nothing' | 'error' | 'warn' | 'info';
}

const levels = { nothing: logLevel.NOTHING, error: logLevel.ERROR, warn: logLevel.WARN, info: logLevel.INFO };
const names = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
} as const;

export function createKafka(options: KafkaOptions): Kafka {
  const sink = options.log;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: levels[options.logLevel ?? 'error'],
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      const named = names[entry.level as keyof typeof names] ?? 'info';
      // Coordinator moves on a fresh or restarting broker are answered, and retried by kafkajs,
      // as errors on the connection: they are the normal course of things, not news.
      const level = named === 'error' && isRetriedCoordinatorAnswer(extra) ? 'debug' : named;
      if (sink) sink({ level, message: `${entry.namespace}: ${message}`, extra });
      else if (level === 'error') console.error(`[kafkajs] ${entry.namespace}: ${message}`);
    },
  });
}

const RETRIED_ANSWERS = [
  'The group coordinator is not available',
  'This is not the correct coordinator for this group',
  "The coordinator is loading and hence can't process requests",
  'There is no leader for this topic-partition as we are in the middle of a leadership election',
];

function isRetriedCoordinatorAnswer(extra: object): boolean {
  const error = (extra as { error?: unknown }).error;
  return typeof error === 'string' && RETRIED_ANSWERS.includes(error);
}
