import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Client } from 'pg';
import { API_CONFIG, type ApiConfig } from '../config';

/** The channel the projector notifies after committing the outcome of each command it settled. */
export const SETTLED_CHANNEL = 'klp_settled';

type Waiter = () => void;

/**
 * One LISTEN connection for the whole api: waiters register a command id and are woken when the
 * projector's NOTIFY says that the read model shows its outcome (read-your-writes). The
 * connection reconnects by itself; waiters re-check the table, so a missed notification only
 * delays an answer until the next check.
 */
@Injectable()
export class SettlementListener implements OnApplicationShutdown {
  private readonly logger = new Logger(SettlementListener.name);
  private readonly waiters = new Map<string, Set<Waiter>>();
  private readonly watchers = new Set<(commandIds: readonly string[]) => void>();
  private client: Client | undefined;
  private listening: Promise<void> | undefined;
  private closed = false;

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /** Resolves once connected, so that a waiter registered afterwards cannot miss its notification. */
  ready(): Promise<void> {
    this.listening ??= this.listen().catch((error: unknown) => {
      this.listening = undefined;
      throw error;
    });
    return this.listening;
  }

  /** Registers interest in command ids; the returned function unregisters. */
  subscribe(commandIds: readonly string[], wake: Waiter): () => void {
    for (const commandId of commandIds) {
      const set = this.waiters.get(commandId) ?? new Set<Waiter>();
      set.add(wake);
      this.waiters.set(commandId, set);
    }
    return () => {
      for (const commandId of commandIds) {
        const set = this.waiters.get(commandId);
        set?.delete(wake);
        if (set?.size === 0) this.waiters.delete(commandId);
      }
    };
  }

  /** Called with the command ids of every notification: the push channel of the dashboard. */
  watch(watcher: (commandIds: readonly string[]) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  get waiting(): number {
    return this.waiters.size;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    const client = new Client({
      connectionString: this.config.DATABASE_URL,
      connectionTimeoutMillis: 2000,
      application_name: 'klp-api-listen',
    });
    client.on('notification', (message) => {
      if (message.channel !== SETTLED_CHANNEL || !message.payload) return;
      const commandIds = message.payload.split(',');
      for (const commandId of commandIds) {
        for (const wake of this.waiters.get(commandId) ?? []) wake();
      }
      for (const watcher of this.watchers) watcher(commandIds);
    });
    client.on('error', (error) => {
      this.logger.warn(`LISTEN connection lost: ${error.message}`);
      this.client = undefined;
      this.listening = undefined;
      // Wake everyone: each waiter re-reads the table, then waits again on a new connection.
      for (const set of this.waiters.values()) for (const wake of set) wake();
      if (!this.closed) setTimeout(() => void this.ready().catch(() => undefined), 1000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${SETTLED_CHANNEL}`);
    this.client = client;
  }
}
