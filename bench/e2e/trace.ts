import { performance } from 'node:perf_hooks';
import type { Consumer, Kafka } from 'kafkajs';
import { Client } from 'pg';
import { topicNames } from '@klp/kafka';
import { quantile } from './open-loop';

/** Wall-clock milliseconds (with fractions) on the same clock as Kafka timestamps and issuedAt. */
export const wallNow = () => performance.timeOrigin + performance.now();

/** The timestamps of one command along the pipeline (wall clock, ms). */
interface Marks {
  scheduled?: number;
  sent?: number;
  /** issuedAt of the envelope: the api's handler took the request. */
  apiAccepted?: number;
  /** CreateTime of the command record: the api's producer built the record. */
  commandProduced?: number;
  /** An outside read_uncommitted consumer saw the command in klp.commands: Kafka took it. */
  commandVisible?: number;
  /** CreateTime of the event record: the decider decided and produced it (inside its transaction). */
  eventProduced?: number;
  /** An outside read_committed consumer saw the event: the decider's transaction committed. */
  eventCommitted?: number;
  /** The bench's own LISTEN klp_settled got the projector's NOTIFY: the read model commit. */
  notified?: number;
  answered?: number;
}

export const SEGMENTS: Array<{ name: string; from: keyof Marks; to: keyof Marks }> = [
  { name: 'generator: scheduled → sent', from: 'scheduled', to: 'sent' },
  { name: 'HTTP: sent → api handler (issuedAt, 1 ms resolution)', from: 'sent', to: 'apiAccepted' },
  {
    name: 'api: handler → command record built (outcome lookup, producer)',
    from: 'apiAccepted',
    to: 'commandProduced',
  },
  {
    name: 'Kafka: command record built → readable in klp.commands',
    from: 'commandProduced',
    to: 'commandVisible',
  },
  {
    name: 'decider: command readable → event produced (fetch, decide)',
    from: 'commandVisible',
    to: 'eventProduced',
  },
  {
    name: 'decider: event produced → transaction committed (read_committed)',
    from: 'eventProduced',
    to: 'eventCommitted',
  },
  { name: 'projector: event committed → Postgres commit + NOTIFY', from: 'eventCommitted', to: 'notified' },
  { name: 'api: NOTIFY → HTTP answer at the client', from: 'notified', to: 'answered' },
  { name: 'total: scheduled → answered', from: 'scheduled', to: 'answered' },
];

export interface SegmentStats {
  name: string;
  samples: number;
  p50: number;
  p99: number;
  mean: number;
}

/**
 * Outside observers of one stack: consumers of klp.commands (read_uncommitted) and klp.events
 * (read_committed) in their own throwaway groups, and a LISTEN on klp_settled. They note when each
 * traced command shows up at each stage; with the client's own times that splits the latency.
 * Their own fetch delay (they ask with maxWaitTimeInMs 20 and minBytes 1) is part of the segment
 * they end.
 */
export class Tracer {
  private readonly marks = new Map<string, Marks>();
  private readonly consumers: Consumer[] = [];
  private listener: Client | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topicPrefix: string,
    private readonly databaseUrl: string,
  ) {}

  async start(): Promise<void> {
    const topics = topicNames(this.topicPrefix);
    const group = `${this.topicPrefix}bench-trace-${Date.now().toString(36)}`;
    const joined: Array<Promise<void>> = [];
    for (const [topic, committed] of [
      [topics.commands, false],
      [topics.events, true],
    ] as const) {
      const consumer = this.kafka.consumer({
        groupId: `${group}-${committed ? 'events' : 'commands'}`,
        readUncommitted: !committed,
        maxWaitTimeInMs: 20,
        minBytes: 1,
      });
      this.consumers.push(consumer);
      joined.push(new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve())));
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: false });
      await consumer.run({
        partitionsConsumedConcurrently: 12,
        eachBatch: ({ batch }) => {
          const seen = wallNow();
          for (const message of batch.messages) {
            if (committed) {
              const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as { commandId?: string };
              const marks = event.commandId ? this.marks.get(event.commandId) : undefined;
              if (!marks || marks.eventProduced !== undefined) continue;
              marks.eventProduced = Number(message.timestamp);
              marks.eventCommitted = seen;
            } else {
              const id = message.headers?.['klp-command-id']?.toString();
              const marks = id ? this.marks.get(id) : undefined;
              if (!marks) continue;
              const envelope = JSON.parse(message.value?.toString('utf8') ?? '{}') as { issuedAt?: string };
              marks.apiAccepted = envelope.issuedAt ? Date.parse(envelope.issuedAt) : undefined;
              marks.commandProduced = Number(message.timestamp);
              marks.commandVisible = seen;
            }
          }
          return Promise.resolve();
        },
      });
    }
    await Promise.all(joined);
    this.listener = new Client({ connectionString: this.databaseUrl, application_name: 'bench-e2e-trace' });
    this.listener.on('notification', (message) => {
      const seen = wallNow();
      for (const id of message.payload?.split(',') ?? []) {
        const marks = this.marks.get(id);
        if (marks && marks.notified === undefined) marks.notified = seen;
      }
    });
    await this.listener.connect();
    await this.listener.query('LISTEN klp_settled');
    // The consumers start at the end of their topics once their offsets are resolved.
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }

  expect(commandId: string): void {
    this.marks.set(commandId, {});
  }

  client(commandId: string, times: { scheduled: number; sent: number; answered: number }): void {
    const marks = this.marks.get(commandId);
    if (!marks) return;
    // performance.now() → wall clock on the same origin as wallNow().
    marks.scheduled = performance.timeOrigin + times.scheduled;
    marks.sent = performance.timeOrigin + times.sent;
    marks.answered = performance.timeOrigin + times.answered;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((consumer) => consumer.disconnect()));
    await this.listener?.end().catch(() => undefined);
  }

  segments(): { complete: number; traced: number; segments: SegmentStats[] } {
    const all = [...this.marks.values()];
    const complete = all.filter((marks) =>
      SEGMENTS.every((segment) => marks[segment.from] !== undefined && marks[segment.to] !== undefined),
    );
    const segments = SEGMENTS.map((segment) => {
      const values = complete
        .map((marks) => (marks[segment.to] as number) - (marks[segment.from] as number))
        .sort((a, b) => a - b);
      return {
        name: segment.name,
        samples: values.length,
        p50: quantile(values, 0.5),
        p99: quantile(values, 0.99),
        mean: values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length),
      };
    });
    return { complete: complete.length, traced: all.length, segments };
  }
}
