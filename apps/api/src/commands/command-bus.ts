import { Inject, Injectable, type OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { CommandEnvelope } from '@klp/contracts';
import { topicNames } from '@klp/kafka';
import { API_CONFIG, type ApiConfig } from '../config';
import { KAFKA } from '../infrastructure.module';
import { Coalescer } from './coalescer';

const SEND_DEADLINE_MS = 3000;
/** Most envelopes in one produce request (about 1 KiB each, well below the broker's batch limit). */
const MAX_ENVELOPES_PER_SEND = 500;

/**
 * Sends command envelopes to klp.commands, keyed by host so that every command of a host is
 * decided in order. The producer is idempotent: a retried send is written once.
 *
 * A producer whose send failed is replaced: after a broker restart kafkajs' idempotent producer
 * can stay stuck on OUT_OF_ORDER_SEQUENCE_NUMBER for good (seen with 10,000 simulated hosts), and
 * a new producer gets a new producer id. Resending is safe: the decider deduplicates commandIds.
 *
 * Concurrent requests share produce requests ({@link Coalescer}). Each caller's deadline runs
 * from its own call, queueing included; a caller refused with 503 may still see its command
 * decided (the send went on), and a retry with the same commandId gets that outcome.
 */
@Injectable()
export class CommandBus implements OnApplicationShutdown {
  private producer: Producer;
  private connecting: Promise<void> | undefined;
  private readonly topic: string;
  private readonly coalescer = new Coalescer<CommandEnvelope>(
    (envelopes) => this.sendNow(envelopes),
    MAX_ENVELOPES_PER_SEND,
  );

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.topic = topicNames(config.KLP_TOPIC_PREFIX).commands;
    this.producer = this.createProducer();
  }

  async send(envelopes: readonly CommandEnvelope[]): Promise<void> {
    if (envelopes.length === 0) return;
    await this.withDeadline(() => this.coalescer.submit(envelopes));
  }

  private async sendNow(envelopes: readonly CommandEnvelope[]): Promise<void> {
    const producer = this.producer;
    try {
      await this.sendWith(producer, envelopes);
    } catch (error) {
      this.replace(producer);
      throw error;
    }
  }

  private createProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 3, initialRetryTime: 100 },
    });
  }

  private replace(failed: Producer): void {
    if (this.producer !== failed) return;
    this.producer = this.createProducer();
    this.connecting = undefined;
    void failed.disconnect().catch(() => undefined);
  }

  /** One produce request; bounded too, so that a stuck broker never holds the queue for long. */
  private async sendWith(producer: Producer, envelopes: readonly CommandEnvelope[]): Promise<void> {
    await this.withDeadline(async () => {
      await this.connect();
      await producer.send({
        topic: this.topic,
        acks: -1,
        messages: envelopes.map((envelope) => ({
          key: envelope.hostId,
          value: JSON.stringify(envelope),
          headers: { 'klp-command-id': envelope.commandId, 'klp-command-type': envelope.type },
        })),
      });
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.connecting ??= this.producer.connect().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  /** A command the broker cannot take is refused quickly with 503, never left hanging. */
  private async withDeadline(work: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        work(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${SEND_DEADLINE_MS} ms`)),
            SEND_DEADLINE_MS,
          );
        }),
      ]);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) throw error;
      throw new ServiceUnavailableException({
        error: 'kafka unavailable',
        reason: `the command was not accepted by Kafka: ${(error as Error).message}`,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
