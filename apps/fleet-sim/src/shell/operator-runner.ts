import type { DerivedState } from '@klp/contracts';
import type { FleetSnapshot, SimOperator } from '../core/operator';
import type { ApiClient, Log } from './api-client';
import type { Sender } from './sender';
import type { Stats } from './stats';

const STATES: readonly DerivedState[] = ['disabled', 'enabled', 'transition', 'patched'];

/**
 * The operator script's shell: reads the fleet (per patch and state, and the long transitions)
 * with the operator token, asks the schedule what to do, and sends it.
 */
export class OperatorRunner {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  sent = 0;

  constructor(
    private readonly operator: SimOperator,
    private readonly patches: readonly string[],
    private readonly api: ApiClient,
    private readonly sender: Sender,
    private readonly stats: Stats,
    private readonly log: Log,
    private readonly stallLimitSeconds: number,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.step(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async snapshot(): Promise<FleetSnapshot> {
    const states = new Map<string, Map<string, DerivedState>>();
    for (const patch of this.patches) {
      const hosts = new Map<string, DerivedState>();
      for (const state of STATES) {
        const path = `/v1/patches/${patch}/hosts?state=${state}`;
        for (const item of await this.api.pages<{ hostId: string }>(path)) hosts.set(item.hostId, state);
      }
      states.set(patch, hosts);
    }
    const busy = new Set(
      (await this.api.pages<{ hostId: string }>('/v1/hosts?state=transition&q=sim-')).map(
        (item) => item.hostId,
      ),
    );
    const long = await this.api.request<{ items: Array<{ hostId: string; patch: string; target: string }> }>(
      'GET',
      `/v1/transitions?olderThan=PT${this.stallLimitSeconds}S&limit=1000`,
    );
    return { states, busy, stalled: long.status === 200 ? long.body.items : [] };
  }

  private async step(): Promise<void> {
    if (this.running || this.sender.queued > 0) return;
    this.running = true;
    try {
      const commands = this.operator.reconcile(await this.snapshot(), Date.now());
      for (const command of commands) {
        this.sent++;
        this.stats.sent++;
        this.sender.send(command, () => undefined);
      }
    } catch (error) {
      this.log('warn', `operator: ${(error as Error).message}`);
    } finally {
      this.running = false;
    }
  }
}
