import { SimAgent, type AgentBehaviour, type ObservedTransition, type SimCommand } from '../core/agent';
import type { SimHostSpec } from '../core/fleet';
import type { ApiClient, Log } from './api-client';
import type { Sender } from './sender';
import type { Stats } from './stats';

const TICK_MS = 250;

interface Summary {
  hostId: string;
  version: number;
  transition: { patch: string; target: 'patched' | 'unpatched'; pendingTasks: number | null } | null;
}

/**
 * The agents' shell: ticks every agent, sends what it decides, and polls the api for the hosts in
 * a transition (`GET /v1/hosts?state=transition`, keyset pages, limited by the agent token to its
 * hosts) — the way a real agent learns that an operator started one, never through Kafka.
 */
export class AgentsRunner {
  readonly agents: SimAgent[];
  private timers: NodeJS.Timeout[] = [];
  private polling = false;

  constructor(
    fleet: readonly SimHostSpec[],
    seed: number,
    behaviour: AgentBehaviour,
    private readonly api: ApiClient,
    private readonly sender: Sender,
    private readonly stats: Stats,
    private readonly log: Log,
    private readonly pollMs: number,
  ) {
    const now = Date.now();
    this.agents = fleet.map((spec) => new SimAgent(spec, seed, behaviour, now));
  }

  start(): void {
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => void this.poll(), this.pollMs));
  }

  stop(): void {
    this.timers.forEach(clearInterval);
  }

  booted(): number {
    return this.agents.filter((agent) => agent.booted).length;
  }

  private tick(): void {
    const now = Date.now();
    for (const agent of this.agents) {
      for (const command of agent.tick(now)) this.dispatch(agent, command);
    }
  }

  private dispatch(agent: SimAgent, command: SimCommand): void {
    this.stats.sent++;
    this.sender.send(command, (settlement) => agent.settle(command, settlement));
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const items = await this.api.pages<Summary>('/v1/hosts?state=transition&q=sim-');
      this.stats.polls++;
      const byHost = new Map(items.map((item) => [item.hostId, item]));
      const now = Date.now();
      for (const agent of this.agents) {
        const summary = byHost.get(agent.hostId);
        const was = agent.inTransition;
        const observed: ObservedTransition | null = summary?.transition
          ? { ...summary.transition, version: summary.version }
          : null;
        agent.observe(observed, now);
        if (!was && agent.inTransition) this.stats.transitionsSeen++;
      }
    } catch (error) {
      this.stats.pollErrors++;
      this.log('warn', `poll failed: ${(error as Error).message}`);
    } finally {
      this.polling = false;
    }
  }
}
