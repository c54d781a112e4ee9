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
      const level = names[entry.level as keyof typeof names] ?? 'info';
      if (sink) sink({ level, message: `${entry.namespace}: ${message}`, extra });
      else if (level === 'error') console.error(`[kafkajs] ${entry.namespace}: ${message}`);
    },
  });
}
