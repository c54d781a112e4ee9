import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createKafka, provisionTopics } from '@klp/kafka';
import { ensureDatabase, migrate } from '@klp/store';
import { migrations } from '../../migrations';
import { startApp, stopProcess, waitFor } from '../e2e/stack';
import { faultBrokers, faultServerUrl } from './infra';

export const APPS = ['decider', 'projector', 'api'] as const;
export type AppName = (typeof APPS)[number];

export interface UnexpectedExit {
  app: AppName;
  code: number | null;
  signal: string | null;
  atMs: number;
  lastLines: string[];
}

/**
 * decider, projector and api as processes on the fault suite's own broker and Postgres, each
 * supervised like a service manager would: one that exits by itself is recorded (a finding) and
 * started again after a second. `kill` SIGKILLs one on purpose, `start` brings it back.
 */
export class FaultStack {
  readonly env: NodeJS.ProcessEnv;
  readonly baseUrl: string;
  readonly token = randomBytes(12).toString('hex');
  readonly databaseUrl: string;
  readonly unexpectedExits: UnexpectedExit[] = [];
  private readonly children = new Map<AppName, ChildProcess>();
  private readonly logs = new Map<AppName, string[]>();
  private readonly killing = new Set<ChildProcess>();
  private stopping = false;
  private readonly t0 = Date.now();

  constructor(
    readonly prefix: string,
    port: number,
  ) {
    const database = new URL(faultServerUrl());
    database.pathname = `/klp_${prefix.replace(/[^a-z0-9]/g, '_')}`;
    this.databaseUrl = database.toString();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.env = {
      ...process.env,
      TZ: 'UTC',
      PORT: String(port),
      KAFKA_BROKERS: faultBrokers().join(','),
      DATABASE_URL: this.databaseUrl,
      KLP_PARTITIONS: '3',
      KLP_TOPIC_PREFIX: prefix,
      KLP_CLIENT_ID: `faults-${prefix}`,
      KLP_TOKENS: `admin:faults-admin:${this.token}`,
      KLP_RATE_LIMIT: '1000000',
      // A SIGKILLed member holds its partitions until its session times out.
      KLP_DECIDER_SESSION_TIMEOUT_MS: '6000',
      KLP_PROJECTOR_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
    };
  }

  async setUp(): Promise<void> {
    await ensureDatabase(this.databaseUrl);
    await migrate({ url: this.databaseUrl, schema: 'klp', migrations });
    const admin = createKafka({
      brokers: faultBrokers(),
      clientId: 'faults-setup',
      logLevel: 'nothing',
    }).admin();
    await admin.connect();
    await provisionTopics(admin, { partitions: 3, prefix: this.prefix }).finally(() => admin.disconnect());
    for (const app of APPS) this.start(app);
    await this.waitReady(90_000);
  }

  start(app: AppName, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess {
    const lines = this.logs.get(app) ?? [];
    this.logs.set(app, lines);
    const child = startApp(app, { ...this.env, ...extraEnv }, (line) => {
      lines.push(`${new Date().toISOString()} ${line}`);
      if (lines.length > 1000) lines.shift();
    });
    this.children.set(app, child);
    child.once('exit', (code, signal) => {
      if (this.killing.has(child) || this.stopping || this.children.get(app) !== child) return;
      this.unexpectedExits.push({
        app,
        code,
        signal,
        atMs: Date.now() - this.t0,
        lastLines: lines.slice(-300),
      });
      setTimeout(() => {
        if (!this.stopping && this.children.get(app) === child) this.start(app);
      }, 1000);
    });
    return child;
  }

  /** SIGKILL, resolved once the process is gone. */
  async kill(app: AppName): Promise<void> {
    const child = this.children.get(app);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.killing.add(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  log(app: AppName): string[] {
    return this.logs.get(app) ?? [];
  }

  async ready(): Promise<boolean> {
    const response = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.ok;
  }

  async waitReady(timeoutMs: number): Promise<number> {
    const started = Date.now();
    await waitFor(() => this.ready(), timeoutMs, 'the api to be ready');
    return Date.now() - started;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children.values()].map(stopProcess));
  }
}
